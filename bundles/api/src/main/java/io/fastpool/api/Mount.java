package io.fastpool.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Mounts a {@link WebApp} component: a component property type, so its elements become service
 * properties {@code fastpool.mount.path}, {@code fastpool.mount.host} and {@code fastpool.mount.pool}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Mount {

    /** Prefix of the service property names. */
    String PREFIX_ = "fastpool.mount.";

    /** Service property: the path prefix. */
    String PATH = "fastpool.mount.path";

    /** Service property: the virtual hosts. */
    String HOST = "fastpool.mount.host";

    /** Service property: the pool's name. */
    String POOL = "fastpool.mount.pool";

    /** The path prefix the app serves: {@code /shop}, or {@code /} for everything. */
    String path();

    /** Virtual hosts: exact names, {@code *.domain} or {@code *} (any). */
    String[] host() default "*";

    /** The pool to run in; apps naming the same pool share it. Empty: a pool of the app's bundle. */
    String pool() default "";
}
