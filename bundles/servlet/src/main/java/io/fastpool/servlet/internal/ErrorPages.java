package io.fastpool.servlet.internal;

import jakarta.servlet.ServletException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The error pages of one app ({@code osgi.http.whiteboard.servlet.errorPage}) and the rules for
 * choosing one: for a status, the exact code, then its class ({@code 4xx}, {@code 5xx}); for an
 * exception, its class, then each superclass by name; then, for a {@link ServletException}, the
 * same for its root cause (Servlet 6.0, 10.9.2); then the page for 500. Each code or class goes to
 * the first target added with it, so adding targets by ranking (highest first) gives it to the
 * highest-ranked servlet, as the whiteboard specifies.
 *
 * <p>Immutable: the whiteboard builds a new one when servlets come or go.
 *
 * @param <T> what an error leads to (the whiteboard's servlet registrations)
 */
final class ErrorPages<T> {

    /** The page found for an error, and the exception it was chosen for ({@code null} when chosen by status). */
    record Page<T>(T target, Throwable matched) {
    }

    private final Map<String, T> pages;

    private ErrorPages(Map<String, T> pages) {
        this.pages = Map.copyOf(pages);
    }

    static <T> Builder<T> builder() {
        return new Builder<>();
    }

    boolean isEmpty() {
        return pages.isEmpty();
    }

    /** Every target, once each. */
    Set<T> targets() {
        return Set.copyOf(pages.values());
    }

    /** The page for {@code status}: its own, else its class's ({@code 404}, then {@code 4xx}); {@code null} when none. */
    T forStatus(int status) {
        T exact = pages.get(Integer.toString(status));
        return exact != null ? exact : pages.get(status / 100 + "xx");
    }

    /** The page for an uncaught {@code problem}, by its class hierarchy, its root cause's, then status 500; {@code null} when none. */
    Page<T> forException(Throwable problem) {
        T page = byClass(problem);
        if (page != null) {
            return new Page<>(page, problem);
        }
        if (problem instanceof ServletException servletException && servletException.getRootCause() != null) {
            Throwable cause = servletException.getRootCause();
            page = byClass(cause);
            if (page != null) {
                return new Page<>(page, cause);
            }
        }
        page = forStatus(500);
        return page == null ? null : new Page<>(page, null);
    }

    private T byClass(Throwable problem) {
        for (Class<?> type = problem.getClass(); type != null; type = type.getSuperclass()) {
            T page = pages.get(type.getName());
            if (page != null) {
                return page;
            }
        }
        return null;
    }

    /** Whether {@code value} is what an errorPage property may say: a code from 400 to 599, {@code 4xx}, {@code 5xx}, or a class name. */
    static boolean isValid(String value) {
        if (value.equals("4xx") || value.equals("5xx")) {
            return true;
        }
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
            return value.length() == 3 && value.charAt(0) >= '4' && value.charAt(0) <= '5';
        }
        return !value.isEmpty() && value.chars().noneMatch(Character::isWhitespace) && Character.isJavaIdentifierStart(value.charAt(0));
    }

    /** Collects error pages; the first target given a code or class keeps it. */
    static final class Builder<T> {

        private final Map<String, T> pages = new HashMap<>();

        /** Returns false when {@code error} is not valid or an earlier target holds it (shadowed). */
        boolean add(String error, T target) {
            String key = error.trim();
            return isValid(key) && pages.putIfAbsent(key, target) == null;
        }

        ErrorPages<T> build() {
            return new ErrorPages<>(pages);
        }
    }
}
