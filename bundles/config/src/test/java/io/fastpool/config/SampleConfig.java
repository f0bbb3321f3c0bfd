package io.fastpool.config;

/** A typed configuration for the tests; its metatype is in src/test/resources, as bnd would write it. */
public @interface SampleConfig {
    int queueLength() default 1000;

    long timeoutSeconds() default 30;

    boolean statistics() default true;

    String[] listen() default {"unix:run/fastpool.sock", "tcp:127.0.0.1:9000"};

    String mode() default "fast";

    String idleTimeout() default "20m";
}
