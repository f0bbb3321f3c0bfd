package io.fastpool.servlet.internal;

import static io.fastpool.testkit.Fakes.fake;
import static org.assertj.core.api.Assertions.assertThat;
import static org.osgi.service.servlet.runtime.dto.DTOConstants.FAILURE_REASON_NO_SERVLET_CONTEXT_MATCHING;
import static org.osgi.service.servlet.runtime.dto.DTOConstants.FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE;
import static org.osgi.service.servlet.runtime.dto.DTOConstants.FAILURE_REASON_VALIDATION_FAILED;

import jakarta.servlet.Filter;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.http.HttpServlet;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.dto.RequestInfoDTO;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;
import org.osgi.service.servlet.runtime.dto.ServletContextDTO;

class WhiteboardRuntimeTest {

    private final WhiteboardFakes fakes = new WhiteboardFakes();

    private static HttpServlet servlet() {
        return new HttpServlet() {
            private static final long serialVersionUID = 1L;
        };
    }

    private static final Filter FILTER = (request, response, chain) -> chain.doFilter(request, response);

    /** A shop: a servlet, one it shadows, an error page, a filter, a listener, a resource; and what fails. */
    private void shop() {
        fakes.servlet(servlet(), "osgi.http.whiteboard.servlet.pattern", "/cart/*", "osgi.http.whiteboard.servlet.name", "cart",
                "service.ranking", 5, "servlet.init.colour", "red");
        fakes.servlet(servlet(), "osgi.http.whiteboard.servlet.pattern", "/cart/*", "osgi.http.whiteboard.servlet.name", "old-cart");
        fakes.servlet(servlet(), "osgi.http.whiteboard.servlet.errorPage", new String[] {"404", "5xx", "java.io.IOException"},
                "osgi.http.whiteboard.servlet.name", "oops");
        fakes.servlet(servlet(), "osgi.http.whiteboard.servlet.pattern", "/lost/*", "osgi.http.whiteboard.servlet.name", "lost",
                "osgi.http.whiteboard.context.select", "(osgi.http.whiteboard.context.name=nowhere)");
        fakes.filter(FILTER, "osgi.http.whiteboard.filter.pattern", "/cart/*", "osgi.http.whiteboard.filter.name", "audit");
        fakes.filter(FILTER, "osgi.http.whiteboard.filter.regex", "(", "osgi.http.whiteboard.filter.name", "broken");
        fakes.whiteboard.addRequestListener(fakes.reference(new ServletRequestListener() { }, "osgi.http.whiteboard.listener", "true",
                "objectClass", new String[] {ServletRequestListener.class.getName()}));
        fakes.whiteboard.addResource(fakes.reference(new Object(), "osgi.http.whiteboard.resource.pattern", "/files/*",
                "osgi.http.whiteboard.resource.prefix", "/static"));
    }

    @Test
    void theRuntimeDtoListsEachContextWithWhatRunsInItAndTheFailuresWithTheirReasons() {
        shop();

        RuntimeDTO dto = fakes.whiteboard.runtime();

        assertThat(dto.servletContextDTOs).hasSize(1);
        ServletContextDTO context = dto.servletContextDTOs[0];
        assertThat(context.name).isEqualTo("default");
        assertThat(context.contextPath).as("ServletContext.getContextPath(): the root is empty").isEmpty();
        assertThat(context.servletDTOs).singleElement().satisfies(servlet -> {
            assertThat(servlet.name).isEqualTo("cart");
            assertThat(servlet.patterns).containsExactly("/cart/*");
            assertThat(servlet.initParams).containsEntry("colour", "red");
            assertThat(servlet.servletContextId).isEqualTo(context.serviceId);
        });
        assertThat(context.errorPageDTOs).singleElement().satisfies(page -> {
            assertThat(page.name).isEqualTo("oops");
            assertThat(page.errorCodes).hasSize(101).contains(404L, 500L, 599L);
            assertThat(page.exceptions).containsExactly("java.io.IOException");
        });
        assertThat(context.filterDTOs).singleElement().satisfies(filter -> {
            assertThat(filter.name).isEqualTo("audit");
            assertThat(filter.patterns).containsExactly("/cart/*");
            assertThat(filter.dispatcher).containsExactly("REQUEST");
        });
        assertThat(context.listenerDTOs).singleElement()
                .satisfies(listener -> assertThat(listener.types).containsExactly(ServletRequestListener.class.getName()));
        assertThat(context.resourceDTOs).singleElement().satisfies(resource -> {
            assertThat(resource.patterns).containsExactly("/files/*");
            assertThat(resource.prefix).isEqualTo("/static");
        });

        assertThat(Arrays.stream(dto.failedServletDTOs).map(failed -> failed.name + ":" + failed.failureReason))
                .containsExactlyInAnyOrder("old-cart:" + FAILURE_REASON_SHADOWED_BY_OTHER_SERVICE,
                        "lost:" + FAILURE_REASON_NO_SERVLET_CONTEXT_MATCHING);
        assertThat(dto.failedFilterDTOs).extracting(failed -> failed.failureReason).containsExactly(FAILURE_REASON_VALIDATION_FAILED);
        assertThat(dto.failedServletContextDTOs).isEmpty();
        assertThat(dto.preprocessorDTOs).isEmpty();
    }

    @Test
    void aRequestInfoNamesTheServletOrResourceAndTheFiltersThatWouldServeThePath() {
        shop();

        RequestInfoDTO cart = fakes.whiteboard.requestInfo("/cart/1");
        RequestInfoDTO file = fakes.whiteboard.requestInfo("/files/a.css");
        RequestInfoDTO nothing = fakes.whiteboard.requestInfo("/elsewhere");

        assertThat(cart.path).isEqualTo("/cart/1");
        assertThat(cart.servletDTO.name).isEqualTo("cart");
        assertThat(cart.filterDTOs).extracting(filter -> filter.name).containsExactly("audit");
        assertThat(file.servletDTO).isNull();
        assertThat(file.resourceDTO.prefix).isEqualTo("/static");
        assertThat(file.filterDTOs).isEmpty();
        assertThat(nothing.servletDTO).isNull();
        assertThat(nothing.resourceDTO).isNull();
    }

    @Test
    void aServiceThatBecomesValidOrGoesLeavesTheFailures() {
        var broken = fakes.filter(FILTER, "osgi.http.whiteboard.filter.regex", "(");
        assertThat(fakes.whiteboard.runtime().failedFilterDTOs).hasSize(1);

        fakes.whiteboard.removeFilter(broken);

        assertThat(fakes.whiteboard.runtime().failedFilterDTOs).isEmpty();
    }

    @Test
    void theServiceRegisteredIsTheRuntimeAndItsDtoNamesItsOwnService() {
        ServiceRegistration<?> registration = FakeRuntimeRegistration.make();
        Object[] registered = new Object[1];
        BundleContext context = fake(BundleContext.class, (name, args) -> {
            if (!name.equals("registerService") || args[0] != HttpServiceRuntime.class) {
                throw new UnsupportedOperationException(name);
            }
            registered[0] = args[1];
            assertThat(((java.util.Dictionary<?, ?>) args[2]).get("osgi.http.endpoint")).isEqualTo("/");
            return registration;
        });
        RuntimeDTO content = new RuntimeDTO();
        RequestInfoDTO info = new RequestInfoDTO();
        WhiteboardRuntime runtime = new WhiteboardRuntime(new WhiteboardRuntime.Content() {
            @Override
            public RuntimeDTO runtime() {
                return content;
            }

            @Override
            public RequestInfoDTO requestInfo(String path) {
                info.path = path;
                return info;
            }
        });

        Map<String, Object> properties = runtime.register(context);

        assertThat(registered[0]).isSameAs(runtime);
        assertThat(properties).containsEntry("service.id", FakeRuntimeRegistration.SERVICE_ID);
        assertThat(runtime.getRuntimeDTO()).isSameAs(content);
        assertThat(content.serviceDTO).isInstanceOf(ServiceReferenceDTO.class);
        assertThat(content.serviceDTO.id).isEqualTo(FakeRuntimeRegistration.SERVICE_ID);
        assertThat(runtime.calculateRequestInfoDTO("/a").path).isEqualTo("/a");
    }
}
