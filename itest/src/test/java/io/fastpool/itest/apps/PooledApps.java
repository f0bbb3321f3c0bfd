package io.fastpool.itest.apps;

/**
 * How the tests of the built distribution pack {@link PooledHello} by hand ({@code TestBundles}): its
 * imports and its component description. The platform tests let bnd read its annotations ({@link TestApps}).
 */
public final class PooledApps {

    /** The imports of a bundle holding {@link PooledHello}. */
    public static final String IMPORTS = "io.fastpool.api;version=\"[1,2)\",org.osgi.framework";

    private PooledApps() {
    }

    /** OSGI-INF/component.xml of a delayed WebApp component mounted at {@code path}. */
    public static String component(String path) {
        return component(path, "");
    }

    /** The same, with more {@code <property .../>} elements (a pool name, virtual hosts). */
    public static String component(String path, String moreProperties) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="hello" activate="activate" deactivate="deactivate">
                  <implementation class="io.fastpool.itest.apps.PooledHello"/>
                  <service><provide interface="io.fastpool.api.WebApp"/></service>
                  <property name="fastpool.mount.path" value="%s"/>
                  %s
                </scr:component>
                """.formatted(path, moreProperties);
    }
}
