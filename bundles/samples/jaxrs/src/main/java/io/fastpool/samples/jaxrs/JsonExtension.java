package io.fastpool.samples.jaxrs;

import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.MediaType;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsMediaType;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;

/**
 * JSON for the whiteboard's applications: Jersey's Jackson feature registered as a whiteboard
 * extension advertising {@code application/json}, which is what {@code @JSONRequired} resources
 * (the {@link GreetingResource}) wait for. The JAX-RS whiteboard finds no message body providers
 * by itself: an app brings the ones it needs as extensions.
 */
@Component(service = Feature.class)
@JakartarsExtension
@JakartarsName("io.fastpool.samples.jaxrs.json")
@JakartarsMediaType(MediaType.APPLICATION_JSON)
public class JsonExtension implements Feature {

    @Override
    public boolean configure(FeatureContext context) {
        context.register(JacksonFeature.class);
        return true;
    }
}
