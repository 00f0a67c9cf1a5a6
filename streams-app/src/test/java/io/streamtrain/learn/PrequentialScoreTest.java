package io.streamtrain.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class PrequentialScoreTest {

    @Test
    void emptyScoreIsNaN() {
        PrequentialScore s = new PrequentialScore();
        assertThat(s.windowCount()).isZero();
        assertThat(s.totalCount()).isZero();
        assertThat(s.windowMeanLoss()).isNaN();
        assertThat(s.windowAccuracy()).isNaN();
        assertThat(s.totalAccuracy()).isNaN();
        assertThat(s.windowRmse()).isNaN();
    }

    @Test
    void classificationWindowAndTotals() {
        PrequentialScore s = new PrequentialScore();
        s.addClassification(0.1, true);
        s.addClassification(0.5, true);
        s.addClassification(2.4, false);
        assertThat(s.windowCount()).isEqualTo(3);
        assertThat(s.windowMeanLoss()).isCloseTo(1.0, within(1e-12));
        assertThat(s.windowAccuracy()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.windowMae()).as("no regression labels").isNaN();

        s.resetWindow();
        s.addClassification(0.2, true);
        assertThat(s.windowCount()).isEqualTo(1);
        assertThat(s.windowAccuracy()).isEqualTo(1.0);
        assertThat(s.windowMeanLoss()).isEqualTo(0.2);
        assertThat(s.totalCount()).isEqualTo(4);
        assertThat(s.totalCorrect()).isEqualTo(3);
        assertThat(s.totalAccuracy()).isEqualTo(0.75);
        assertThat(s.totalMeanLoss()).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void regressionErrors() {
        PrequentialScore s = new PrequentialScore();
        s.addRegression(9, 3);
        s.addRegression(16, -4);
        assertThat(s.windowMae()).isEqualTo(3.5);
        assertThat(s.windowRmse()).isCloseTo(Math.sqrt(12.5), within(1e-12));
        assertThat(s.windowMeanLoss()).isEqualTo(12.5);
        assertThat(s.windowAccuracy()).isNaN();
        s.resetWindow();
        assertThat(s.windowMae()).isNaN();
        assertThat(s.totalMae()).isEqualTo(3.5);
        assertThat(s.totalRmse()).isCloseTo(Math.sqrt(12.5), within(1e-12));
    }

    @Test
    void scoresOutputsAgainstLabels() {
        Outputs classes = new Outputs(2, 3, new float[] {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f}, true);
        PrequentialScore c = new PrequentialScore();
        c.add(0.36, classes, 0, Target.ofClass(1));
        c.add(1.2, classes, 1, Target.ofClass(2));
        assertThat(c.totalAccuracy()).isEqualTo(0.5);

        Outputs values = new Outputs(2, 1, new float[] {1.5f, -1f}, false);
        PrequentialScore r = new PrequentialScore();
        r.add(0.25, values, 0, Target.ofValue(1.0));
        r.add(1.0, values, 1, Target.ofValue(0.0));
        assertThat(r.windowMae()).isEqualTo(0.75);
        assertThat(r.windowRmse()).isCloseTo(Math.sqrt(0.625), within(1e-12));
    }

    @Test
    void snapshotRoundTrip() {
        PrequentialScore s = new PrequentialScore();
        s.addClassification(0.3, true);
        s.addClassification(1.3, false);
        s.resetWindow();
        s.addClassification(0.1, true);
        s.addRegression(4, 2);
        byte[] bytes = s.toBytes();
        assertThat(bytes).hasSize(101);
        PrequentialScore t = PrequentialScore.fromBytes(bytes);
        assertThat(t.toBytes()).isEqualTo(bytes);
        assertThat(t.windowCount()).isEqualTo(2);
        assertThat(t.totalCount()).isEqualTo(4);
        assertThat(t.totalAccuracy()).isEqualTo(2.0 / 3);
        assertThat(t.windowMeanLoss()).isEqualTo(s.windowMeanLoss());
        assertThat(t.toString()).isEqualTo(s.toString());
    }

    @Test
    void refusesWhatIsNotASnapshot() {
        assertThatThrownBy(() -> PrequentialScore.fromBytes(new byte[3])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrequentialScore.fromBytes(new byte[101]))
                .hasMessage("not a prequential score snapshot: bad magic");
        byte[] future = new PrequentialScore().toBytes();
        future[4] = 2;
        assertThatThrownBy(() -> PrequentialScore.fromBytes(future))
                .hasMessage("prequential score format version 2 is not supported (this build reads version 1)");
        byte[] truncated = Arrays.copyOf(new PrequentialScore().toBytes(), 50);
        assertThatThrownBy(() -> PrequentialScore.fromBytes(truncated))
                .hasMessage("corrupt prequential score snapshot: 50 bytes, expected 101");
    }
}
