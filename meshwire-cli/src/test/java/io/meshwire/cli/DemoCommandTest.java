package io.meshwire.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code meshwire demo} through picocli, in-process, shortened to a second of streaming. */
class DemoCommandTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldExitZeroWithTablesWhenEveryReliableEventArrives() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("demo", "--seconds", "1");

        String text = out.toString();
        System.out.print(text);
        assertThat(exit).as(err.toString()).isZero();
        assertThat(text).contains("discovery: a found", "handshake: a -> b", "loss injection: each node drops 2 %")
                .contains("stream   mode").contains("p99.9 us").contains("pkts/send-sc")
                .contains("reliable", "fire-and-forget")
                .contains("OK: all ");
        assertThat(text.lines().filter(l -> l.matches("^[abc] -> [abc] .*")).count()).isEqualTo(6);
    }

    @Test
    void shouldNameTheOptionWhenDemoSizeIsOutOfRange() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true)).execute("demo", "--size", "8");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--size 8").contains("16..8104");
    }
}
