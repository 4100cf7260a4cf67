package io.meshwire.bench.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Pins peer processes with {@code taskset}: the receiver to the last CPU this process may run on, senders to the
 * others. Without it, on two CPUs the scheduler sometimes wakes the receiver on its sender's CPU, and a run's rate
 * then depends on where the processes happened to land (per-round rates of one system differ by 1.5x).
 */
final class CpuPinning {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final String ALLOWED = "Cpus_allowed_list:";
    private static final List<Path> TASKSET = List.of(Path.of("/usr/bin/taskset"), Path.of("/bin/taskset"));

    private final String taskset;
    private final String receiverCpus;
    private final String senderCpus;

    private CpuPinning(String taskset, List<Integer> cpus) {
        this.taskset = taskset;
        this.receiverCpus = String.valueOf(cpus.getLast());
        StringJoiner senders = new StringJoiner(",");
        for (int cpu : cpus.subList(0, cpus.size() - 1)) {
            senders.add(String.valueOf(cpu));
        }
        this.senderCpus = senders.toString();
    }

    /** The pinning for this process's allowed CPUs; throws, naming the fix, without two CPUs or taskset. */
    static CpuPinning probe() {
        String taskset = null;
        for (Path candidate : TASKSET) {
            if (Files.isExecutable(candidate)) {
                taskset = candidate.toString();
                break;
            }
        }
        if (taskset == null) {
            throw new IllegalStateException("--pin needs taskset (apt-get install -y util-linux), or run without --pin");
        }
        List<Integer> cpus;
        try {
            cpus = allowedCpus(Files.readAllLines(STATUS));
        } catch (IOException e) {
            throw new IllegalStateException("--pin cannot read " + STATUS + " (Linux only); run without --pin", e);
        }
        if (cpus.size() < 2) {
            throw new IllegalStateException("--pin needs at least two CPUs to put receiver and sender apart, this "
                    + "process may use " + cpus + "; run without --pin");
        }
        return new CpuPinning(taskset, cpus);
    }

    /** The CPUs of the {@code Cpus_allowed_list} line among {@code statusLines}, in ascending order. */
    static List<Integer> allowedCpus(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith(ALLOWED)) {
                return parseCpuList(line.substring(ALLOWED.length()).trim());
            }
        }
        throw new IllegalStateException("no " + ALLOWED + " line in " + STATUS);
    }

    /** Parses the kernel's CPU list format, e.g. {@code 0-3,8,10-11}. */
    static List<Integer> parseCpuList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.split(",")) {
            String range = part.trim();
            int dash = range.indexOf('-');
            try {
                int first = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                int last = dash < 0 ? first : Integer.parseInt(range.substring(dash + 1));
                if (first < 0 || last < first) {
                    throw new IllegalArgumentException("bad CPU range '" + range + "' in '" + list + "'");
                }
                for (int cpu = first; cpu <= last; cpu++) {
                    cpus.add(cpu);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CPU list '" + list + "'", e);
            }
        }
        return List.copyOf(cpus);
    }

    /** {@code command} run on the receiver's CPU. */
    List<String> receiver(List<String> command) {
        return wrap(receiverCpus, command);
    }

    /** {@code command} run on the senders' CPUs. */
    List<String> sender(List<String> command) {
        return wrap(senderCpus, command);
    }

    /** The receiver's and senders' CPU lists, for the run's header line. */
    @Override
    public String toString() {
        return "receiver on CPU " + receiverCpus + ", sender on CPU " + senderCpus;
    }

    private List<String> wrap(String cpus, List<String> command) {
        List<String> pinned = new ArrayList<>(command.size() + 3);
        pinned.add(taskset);
        pinned.add("-c");
        pinned.add(cpus);
        pinned.addAll(command);
        return pinned;
    }
}
