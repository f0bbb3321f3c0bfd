package io.fastpool.servlet.internal;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;

/** What a whiteboard servlet's or filter's {@code init} is given: a name, init parameters and the servlet context. */
record InstanceConfig(String name, Map<String, String> parameters, ServletContext context) implements ServletConfig, FilterConfig {

    @Override
    public String getServletName() {
        return name;
    }

    @Override
    public String getFilterName() {
        return name;
    }

    @Override
    public ServletContext getServletContext() {
        return context;
    }

    @Override
    public String getInitParameter(String parameter) {
        return parameters.get(parameter);
    }

    @Override
    public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(parameters.keySet());
    }
}
