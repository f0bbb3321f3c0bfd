package io.fastpool.samples.servlet;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardResource;

/**
 * The sample's static files: the bundle's {@code /static} folder served at {@code /servlet/static/}
 * (the form's style sheet). A whiteboard resource registration: any service with these properties;
 * the whiteboard serves the files from this bundle, with their type, length and date.
 */
@Component(service = StaticFiles.class)
@HttpWhiteboardResource(pattern = "/servlet/static/*", prefix = "/static")
public class StaticFiles {
}
