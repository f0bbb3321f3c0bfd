package io.fastpool.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.config.ConfigSchema;
import io.fastpool.config.Setting;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's tables are the metatype the components declare (the same one every file is
 * checked against): this test renders them from it and fails when the document says otherwise. On a
 * difference, target/configuration-tables.md holds the current tables to paste in.
 */
class ConfigurationDocsTest {

    static final String BEGIN = "<!-- tables generated from the metatype by ConfigurationDocsTest: begin -->";
    static final String END = "<!-- tables generated from the metatype by ConfigurationDocsTest: end -->";

    /** Each configuration file, by the component type that declares it. */
    static final Map<String, String[]> FILES = new LinkedHashMap<>();

    static {
        FILES.put("conf/io.fastpool.transport.cfg", new String[] {"io.fastpool.transport", "io.fastpool.transport.internal.TransportComponent$Config"});
        FILES.put("conf/io.fastpool.listener.cfg", new String[] {"io.fastpool.listener", "io.fastpool.listener.internal.ListenerComponent$Config"});
        FILES.put("conf/io.fastpool.pool~NAME.cfg", new String[] {"io.fastpool.pool", "io.fastpool.pool.internal.PoolConfiguration$Config"});
        FILES.put("conf/io.fastpool.status.cfg", new String[] {"io.fastpool.status", "io.fastpool.status.internal.StatusComponent$Config"});
        FILES.put("conf/org.apache.felix.fileinstall-NAME.cfg", new String[] {"org.apache.felix.fileinstall",
                "io.fastpool.config.internal.FileInstallCheck$WatcherConfig"});
    }

    @Test
    void theDocumentedTablesAreTheMetatype() throws Exception {
        String tables = render();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/configuration-tables.md"), tables, StandardCharsets.UTF_8);
        String document = Files.readString(Path.of("../docs/configuration.md"), StandardCharsets.UTF_8);
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        assertThat(begin).as("docs/configuration.md has the marker " + BEGIN).isNotNegative();
        assertThat(end).as("docs/configuration.md has the marker " + END).isGreaterThan(begin);
        assertThat(document.substring(begin + BEGIN.length(), end).strip())
                .as("docs/configuration.md's tables (the metatype's are in distribution/target/configuration-tables.md)")
                .isEqualTo(tables.strip());
    }

    /** The component's own schema (with its checks' phrases) where it has one, else the metatype's. */
    static ConfigSchema schema(String pid, Class<? extends Annotation> type) {
        try {
            java.lang.reflect.Field field = type.getEnclosingClass().getDeclaredField("SCHEMA");
            field.setAccessible(true);
            return (ConfigSchema) field.get(null);
        } catch (ReflectiveOperationException e) {
            return ConfigSchema.of(pid, type);
        }
    }

    @SuppressWarnings("unchecked")
    static String render() throws ClassNotFoundException {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String[]> file : FILES.entrySet()) {
            String pid = file.getValue()[0];
            Class<? extends Annotation> type = (Class<? extends Annotation>) Class.forName(file.getValue()[1]);
            out.append("### `").append(file.getKey()).append("`\n\n");
            out.append("| key | default | allowed | what it does |\n|---|---|---|---|\n");
            ConfigSchema schema = schema(pid, type);
            for (Setting setting : schema.settings()) {
                String defaultValue = setting.defaultValue().isEmpty() ? "(empty)"
                        : "`" + setting.defaultValue().replace(",", ", ").replace("|", "\\|") + "`";
                out.append("| `").append(setting.name()).append("` | ").append(defaultValue).append(" | ")
                        .append(schema.allowed(setting)).append(" | ").append(setting.description().replace("|", "\\|")).append(" |\n");
            }
            out.append('\n');
        }
        return out.toString();
    }
}
