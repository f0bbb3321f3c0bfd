package io.fastpool.servlet.internal;

import static io.fastpool.testkit.Fakes.fake;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.dto.RequestInfoDTO;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;

class WhiteboardRuntimeTest {

    private final ServiceReferenceDTO registered = new ServiceReferenceDTO();
    private String askedFilter;

    /** A framework in which the runtime's own service is registered, found by its component id. */
    private final BundleContext context = fake(BundleContext.class, (method, args) -> {
        if (!method.equals("getServiceReferences") || args[0] != HttpServiceRuntime.class) {
            throw new UnsupportedOperationException(method);
        }
        askedFilter = (String) args[1];
        return List.of(fake(ServiceReference.class, (inner, more) -> inner.equals("adapt") && more[0] == ServiceReferenceDTO.class ? registered : null));
    });

    @Test
    void theRuntimeDtoNamesItsOwnServiceAndReportsNothingElseYet() {
        HttpServiceRuntime runtime = new WhiteboardRuntime(context, Map.of("component.id", 7L));

        RuntimeDTO dto = runtime.getRuntimeDTO();

        assertThat(askedFilter).isEqualTo("(component.id=7)");
        assertThat(dto.serviceDTO).isSameAs(registered);
        assertThat(dto.servletContextDTOs).isEmpty();
        assertThat(dto.failedServletDTOs).isEmpty();
        assertThat(dto.failedFilterDTOs).isEmpty();
        assertThat(dto.preprocessorDTOs).isEmpty();
    }

    @Test
    void aRequestInfoTellsThePathOnly() {
        RequestInfoDTO info = new WhiteboardRuntime(context, Map.of("component.id", 7L)).calculateRequestInfoDTO("/greetings/Ada");

        assertThat(info.path).isEqualTo("/greetings/Ada");
        assertThat(info.servletDTO).isNull();
        assertThat(info.filterDTOs).isEmpty();
    }
}
