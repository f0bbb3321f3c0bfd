package io.fastpool.api;

import java.util.List;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/** Request headers: names compared case-insensitively by ASCII ordinal; a name may have several values. */
@ProviderType
public interface Headers {

    /** The last value of {@code name}, or {@code null}. */
    String get(String name);

    /** Every value of {@code name}, in order; empty if none. */
    List<String> getAll(String name);

    /** Whether {@code name} is present. */
    boolean contains(String name);

    /** The names present, in their canonical form ({@code Content-Type}, {@code X-Forwarded-For}). */
    Set<String> names();
}
