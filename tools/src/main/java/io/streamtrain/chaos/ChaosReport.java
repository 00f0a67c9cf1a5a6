package io.streamtrain.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The campaigns' results as Markdown tables: the summary (what was tried / what held), then each campaign. */
public final class ChaosReport {

    private ChaosReport() {
    }

    /** The whole report: a summary table, then per campaign its faults, figures, checks and per-model table. */
    public static String markdown(String title, List<CampaignOutcome> outcomes) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append(summary(outcomes)).append('\n');
        for (CampaignOutcome o : outcomes) {
            md.append(campaign(o)).append('\n');
        }
        return md.toString();
    }

    /** One row per campaign: what was tried, what held, what did not. */
    public static String summary(List<CampaignOutcome> outcomes) {
        StringBuilder md = new StringBuilder("| scenario | what was tried | what held | result |\n|---|---|---|---|\n");
        for (CampaignOutcome o : outcomes) {
            StringBuilder held = new StringBuilder();
            for (Check c : o.checks()) {
                if (c.invariant().startsWith("campaign finished")) {
                    continue;
                }
                held.append(held.length() == 0 ? "" : "<br>").append(c.held() ? "✔ " : "✘ ").append(c.invariant());
            }
            md.append("| ").append(o.scenario()).append(" (seed ").append(o.seed()).append(") | ").append(o.tried())
                    .append(" | ").append(held).append(" | ")
                    .append(o.held() ? "held" : "FAILED: " + o.failed().size() + " check(s)").append(" |\n");
        }
        return md.toString();
    }

    /** One campaign: its faults, figures, checks and per-model figures. */
    public static String campaign(CampaignOutcome o) {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(o.scenario()).append(" (seed ").append(o.seed()).append(")\n\n");
        md.append(o.tried()).append(".\n\n");
        if (!o.disruptions().isEmpty()) {
            md.append("| # | fault | on | at (share of the stream) | took | committed output resumed after "
                    + "| restored |\n")
                    .append("|--:|---|---|--:|--:|--:|---|\n");
            int i = 1;
            for (Disruption d : o.disruptions()) {
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %.1f%% | %s | %s | %s |%n", i++, d.kind(),
                        d.target(), 100 * d.atFraction(), millis(d.tookMs()),
                        d.recoveryMs() < 0 ? "no further output" : millis(d.recoveryMs()),
                        d.restore().isEmpty() ? "-" : d.restore()));
            }
            md.append('\n');
        }
        md.append("| figure | value |\n|---|--:|\n");
        for (Map.Entry<String, String> f : o.figures().entrySet()) {
            md.append("| ").append(f.getKey()).append(" | ").append(f.getValue()).append(" |\n");
        }
        md.append('\n');
        md.append("| invariant | expected | observed | held |\n|---|--:|--:|:-:|\n");
        for (Check c : o.checks()) {
            md.append("| ").append(c.invariant()).append(" | ").append(c.expected()).append(" | ")
                    .append(c.observed()).append(" | ").append(c.held() ? "✔" : "✘").append(" |\n");
        }
        md.append('\n').append(o.perModel());
        return md.toString();
    }

    /** "1 SIGKILL", "3 SIGKILLs". */
    static String times(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String millis(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
