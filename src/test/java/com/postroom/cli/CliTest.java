package com.postroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class CliTest {

    @Test
    void tokenCreatePrintsATokenForAnAdmin() {
        Path data = Path.of("target/test-data/cli-" + UUID.randomUUID());
        System.setProperty("POSTROOM_DATA_DIR", data.toString());
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true));
            int code = Cli.run(new String[] {"token", "create", "--email", "founder@postroom.test", "--name", "ci"});
            assertThat(code).isZero();
            assertThat(Cli.run(new String[] {"token", "create", "--email", "nobody@postroom.test"})).isEqualTo(1);
            assertThat(Cli.run(new String[] {"token"})).isEqualTo(2);
        } finally {
            System.setOut(out);
            System.clearProperty("POSTROOM_DATA_DIR");
        }
        assertThat(captured.toString()).containsPattern("(?m)^pr_[A-Za-z0-9_-]{43}$");
    }
}
