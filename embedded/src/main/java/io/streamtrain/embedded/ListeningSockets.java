package io.streamtrain.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets a process listens on, read from Linux's {@code /proc}: for tests that check that everything a
 * component opens binds 127.0.0.1. {@link #isSupported()} is false elsewhere.
 */
public final class ListeningSockets {

    /** A listening socket: its local address and port. */
    public record Socket(InetAddress address, int port) {
        @Override
        public String toString() {
            return address.getHostAddress() + ":" + port;
        }
    }

    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    /** Whether this system has {@code /proc/<pid>/net/tcp}. */
    public static boolean isSupported() {
        return Files.isReadable(Path.of("/proc/self/net/tcp"));
    }

    /** The sockets this JVM listens on. */
    public static Set<Socket> ofThisProcess() {
        return of(ProcessHandle.current().pid());
    }

    /** The sockets process {@code pid} listens on. */
    public static Set<Socket> of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the open files of process " + pid, e);
        }
        Set<Socket> sockets = new LinkedHashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = proc.resolve("net").resolve(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals(LISTEN) && inodes.contains(f[9])) {
                    sockets.add(parse(f[1]));
                }
            }
        }
        return sockets;
    }

    /** {@code 0100007F:1F90} (little-endian words, as the kernel prints them) to 127.0.0.1:8080. */
    private static Socket parse(String hexAddressAndPort) {
        String[] parts = hexAddressAndPort.split(":");
        String hex = parts[0];
        byte[] address = new byte[hex.length() / 2];
        // each 32-bit word is in host (little-endian) order
        for (int word = 0; word < address.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int from = word * 8 + (3 - b) * 2;
                address[word * 4 + b] = (byte) Integer.parseInt(hex.substring(from, from + 2), 16);
            }
        }
        try {
            return new Socket(InetAddress.getByAddress(address), Integer.parseInt(parts[1], 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an address: " + hexAddressAndPort, e);
        }
    }
}
