package io.streamtrain.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The instructions of a Dockerfile, enough of them to check what an image is built from, copies and runs: comments
 * dropped, continuation lines joined. Not a full parser (no heredocs, no escape directive).
 */
record Dockerfile(Path path, List<Instruction> instructions) {

    /** One instruction: its keyword in upper case and the rest of its line. */
    record Instruction(String keyword, String arguments) {
    }

    /** What a COPY instruction copies: its sources (context paths, or paths in a stage) and its destination. */
    record Copy(Optional<String> fromStage, List<String> sources, String destination) {
    }

    static Dockerfile read(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                continue; // a comment, also inside a continued instruction
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String text = current.toString().strip();
            current.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            String[] parts = text.split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
        }
        return new Dockerfile(path, List.copyOf(instructions));
    }

    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The image of each FROM, without its {@code AS name}. */
    List<String> baseImages() {
        return all("FROM").stream().map(arguments -> arguments.split("\\s+")[0]).toList();
    }

    /** The image of the last FROM: the stage the image is. */
    String finalBaseImage() {
        List<String> images = baseImages();
        return images.get(images.size() - 1);
    }

    List<Copy> copies() {
        List<Copy> copies = new ArrayList<>();
        for (String arguments : all("COPY")) {
            List<String> words = new ArrayList<>(Arrays.asList(arguments.split("\\s+")));
            Optional<String> stage = Optional.empty();
            while (!words.isEmpty() && words.get(0).startsWith("--")) {
                String flag = words.remove(0);
                if (flag.startsWith("--from=")) {
                    stage = Optional.of(flag.substring("--from=".length()));
                }
            }
            String destination = words.remove(words.size() - 1);
            copies.add(new Copy(stage, List.copyOf(words), destination));
        }
        return copies;
    }

    /** The user of the last USER instruction; root when there is none. */
    String user() {
        List<String> users = all("USER");
        return users.isEmpty() ? "root" : users.get(users.size() - 1).strip();
    }

    /** The text of the last instruction with this keyword, or empty. */
    String last(String keyword) {
        List<String> found = all(keyword);
        return found.isEmpty() ? "" : found.get(found.size() - 1);
    }
}
