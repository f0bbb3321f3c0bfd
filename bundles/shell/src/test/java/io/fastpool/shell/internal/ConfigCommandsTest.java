package io.fastpool.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.config.ConfigurationReport;
import io.fastpool.config.ConfigurationReport.Entry;
import io.fastpool.config.ConfigurationReports;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigCommandsTest {

    static final ConfigurationReport TRANSPORT = new ConfigurationReport("io.fastpool.transport",
            List.of(new Entry("listen", "unix:run/fastpool.sock", "conf/io.fastpool.transport.cfg"), new Entry("backlog", "511", "default")),
            List.of(), null, List.of("conf/io.fastpool.transport.cfg: unknown key 'maxConections' is ignored; did you mean 'maxConnections'?"));
    static final ConfigurationReport SHOP = new ConfigurationReport("io.fastpool.pool~shop",
            List.of(new Entry("queueLength", "7", "conf/io.fastpool.pool~shop.cfg"), new Entry("maxThreads", "4",
                    "the Fastpool-Pool header of com.example.shop 1.0.0"), new Entry("accessLog", "", "default")),
            List.of("conf/io.fastpool.pool~shop.cfg: queueLength = 'seven' is refused: allowed is a whole number from 1"),
            "conf/io.fastpool.pool~shop.cfg", List.of());

    final ConfigCommands commands = new ConfigCommands(List.<ConfigurationReports>of(() -> List.of(TRANSPORT), () -> List.of(SHOP)));

    @Test
    void theListGivesEveryPidWithItsStateAndOrigins() {
        assertThat(commands.config()).isEqualTo("""
                PID                    STATE    FROM                                                                                         NOTES
                io.fastpool.pool~shop  REFUSED  conf/io.fastpool.pool~shop.cfg, the Fastpool-Pool header of com.example.shop 1.0.0, default  1 refused in conf/io.fastpool.pool~shop.cfg
                io.fastpool.transport  ok       conf/io.fastpool.transport.cfg, default                                                      1 unknown key(s)
                (fastpool:config PID or POOL for every setting and its origin)
                """);
    }

    @Test
    void onePoolByNameShowsEachValueItsOriginAndTheRefusedFile() {
        assertThat(commands.config("shop")).isEqualTo("""
                io.fastpool.pool~shop: REFUSED file, running the last good configuration
                KEY          VALUE  FROM
                queueLength  7      conf/io.fastpool.pool~shop.cfg
                maxThreads   4      the Fastpool-Pool header of com.example.shop 1.0.0
                accessLog    ""     default
                refused: conf/io.fastpool.pool~shop.cfg (fix it; until then the values above run)
                  conf/io.fastpool.pool~shop.cfg: queueLength = 'seven' is refused: allowed is a whole number from 1
                """);
    }

    @Test
    void aPidShowsItsUnknownKeys() {
        assertThat(commands.config("io.fastpool.transport")).endsWith(
                "warning: conf/io.fastpool.transport.cfg: unknown key 'maxConections' is ignored; did you mean 'maxConnections'?\n");
    }

    @Test
    void anUnknownNameSaysWhatIsKnown() {
        assertThatThrownBy(() -> commands.config("nope"))
                .hasMessage("no configuration named nope; known: [io.fastpool.pool~shop, io.fastpool.transport]");
    }
}
