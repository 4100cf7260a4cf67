package io.meshwire.bench.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --pin}: the CPU list parser, the refusals, and where a pinned process really may run. */
class CpuPinningTest {

    @Test
    void shouldExpandRangesWhenParsingTheKernelsCpuList() {
        assertThat(CpuPinning.parseCpuList("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CpuPinning.parseCpuList("5")).containsExactly(5);
        assertThat(CpuPinning.allowedCpus(List.of("Name:\tjava", "Cpus_allowed:\t3", "Cpus_allowed_list:\t0-1")))
                .containsExactly(0, 1);
    }

    @Test
    void shouldNameTheBadPartWhenTheCpuListIsMalformed() {
        assertThatThrownBy(() -> CpuPinning.parseCpuList("0-x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'0-x'");
        assertThatThrownBy(() -> CpuPinning.parseCpuList("3-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad CPU range '3-1'");
        assertThatThrownBy(() -> CpuPinning.allowedCpus(List.of("Name:\tjava")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Cpus_allowed_list:");
    }

    @Test
    void shouldRefuseThePinWhenCombinedWithCapacityModeOrGivenAValue() {
        assertThatThrownBy(() -> TransportBench.parse(new String[] {"--pin", "--capacity"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("drop it with --capacity");
        assertThatThrownBy(() -> TransportBench.parse(new String[] {"--pin=yes"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--pin takes no value");
        assertThat(TransportBench.parse(new String[0]).pin()).isFalse();
        assertThat(TransportBench.parse(new String[0]).mode()).isEqualTo("pair");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRunTheReceiverAndSenderOnDisjointCpusWhenPinned() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
                "--pin needs two CPUs, this machine has " + Runtime.getRuntime().availableProcessors());
        CpuPinning pinning = CpuPinning.probe();
        List<String> probe = List.of("/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status");

        List<Integer> receiverCpus = CpuPinning.allowedCpus(List.of(output(pinning.receiver(probe))));
        List<Integer> senderCpus = CpuPinning.allowedCpus(List.of(output(pinning.sender(probe))));

        assertThat(receiverCpus).hasSize(1);
        assertThat(senderCpus).isNotEmpty().doesNotContainAnyElementsOf(receiverCpus);
        assertThat(pinning.toString()).isEqualTo("receiver on CPU " + receiverCpus.getFirst() + ", sender on CPU "
                + String.join(",", senderCpus.stream().map(String::valueOf).toList()));
    }

    private static String output(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }
}
