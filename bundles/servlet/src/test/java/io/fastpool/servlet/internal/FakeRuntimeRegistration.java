package io.fastpool.servlet.internal;

import static io.fastpool.testkit.Fakes.fake;

import java.util.Map;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.dto.ServiceReferenceDTO;

/** The registration a fake framework hands the whiteboard for its {@code HttpServiceRuntime}: service id {@value #SERVICE_ID}, endpoint "/". */
final class FakeRuntimeRegistration {

    static final long SERVICE_ID = 1_000_000;

    private FakeRuntimeRegistration() {
    }

    static ServiceRegistration<?> make() {
        Map<String, Object> properties = Map.of("service.id", SERVICE_ID, "osgi.http.endpoint", "/");
        ServiceReferenceDTO dto = new ServiceReferenceDTO();
        dto.id = SERVICE_ID;
        ServiceReference<?> reference = fake(ServiceReference.class, (name, args) -> switch (name) {
            case "getPropertyKeys" -> properties.keySet().toArray(String[]::new);
            case "getProperty" -> properties.get((String) args[0]);
            case "adapt" -> dto;
            default -> throw new UnsupportedOperationException(name);
        });
        return fake(ServiceRegistration.class, (name, args) -> switch (name) {
            case "getReference" -> reference;
            case "unregister" -> null;
            default -> throw new UnsupportedOperationException(name);
        });
    }
}
