package io.plinth.impl.management;

import static javax.servlet.http.HttpServletResponse.SC_NOT_FOUND;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.ServletContext;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletOutputStream;
import javax.servlet.ServletResponse;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpServletResponseWrapper;

import io.plinth.impl.management.delegates.HeldRequests;
import io.plinth.support.FrameworkShared;
import io.plinth.support.LoadedApart;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.jaxrs.runtime.JaxrsServiceRuntime;
import org.osgi.service.jaxrs.runtime.dto.ApplicationDTO;
import org.osgi.service.jaxrs.runtime.dto.BaseDTO;
import org.osgi.service.jaxrs.runtime.dto.RuntimeDTO;
import org.osgi.util.tracker.ServiceTracker;


/**
 * Holds requests to the REST API while its application is incomplete, the time a live update of
 * the REST bundle takes, then sends them on to the new one: a client sees a slower answer, never
 * the 404 of a missing resource. Stock Karaf loses tens of requests per such swap.
 * <p>
 * The API is complete when the JAX-RS runtime serves the application named {@value #APPLICATION}
 * with as many resources and extensions of its bundle as the application's {@value #PARTS}
 * property says it has. The runtime's change count tells when to look again.
 * <p>
 * The servlet filters that bring requests here are registered by the first revision of this bundle
 * and never removed ({@link HeldRequests}): each revision only puts its hold in the bundle's shared map.
 */
@Component(service = {})
public final class RestHold {

    static final String BASE = "/plinth/api/v1";
    static final String APPLICATION = "plinth";
    /** The application service property: how many JAX-RS resources and extensions its bundle registers. */
    static final String PARTS = "plinth.rest.parts";
    /** Longer than a swap of the REST bundle, shorter than a client's patience. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long RETRY_PAUSE_MILLIS = 10;
    /** How long a request this revision held waits for the next revision's hold. */
    private static final long SUCCESSOR_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The shared map's key telling that the filters are registered. */
    private static final String FILTERS = "rest-hold-filters";

    private final Object readiness = new Object();
    private volatile boolean complete;
    /** Set when this revision stops: what it holds goes to the next one. */
    private volatile boolean retired;
    private BundleContext context;
    private ConcurrentMap<String, Object> shared;
    private final Consumer<Object[]> hold = this::hold;
    private ServiceTracker<JaxrsServiceRuntime, JaxrsServiceRuntime> runtime;

    @Activate
    void activate(BundleContext bundleContext) {
        context = bundleContext;
        runtime = new ServiceTracker<>(bundleContext, JaxrsServiceRuntime.class, null) {
            @Override
            public JaxrsServiceRuntime addingService(ServiceReference<JaxrsServiceRuntime> reference) {
                JaxrsServiceRuntime added = super.addingService(reference);
                look(added);
                return added;
            }

            @Override
            public void modifiedService(ServiceReference<JaxrsServiceRuntime> reference, JaxrsServiceRuntime service) {
                look(service); // its change count moved
            }

            @Override
            public void removedService(ServiceReference<JaxrsServiceRuntime> reference, JaxrsServiceRuntime service) {
                setComplete(false);
                super.removedService(reference, service);
            }
        };
        runtime.open();
        shared = FrameworkShared.of(bundleContext);
        if (shared.putIfAbsent(FILTERS, Boolean.TRUE) == null) {
            registerFilters(bundleContext, shared);
        }
        shared.put(HeldRequests.HOLD, hold);
    }

    @Deactivate
    void deactivate() {
        shared.replace(HeldRequests.HOLD, hold, System.nanoTime()); // new requests wait for the next revision's hold
        runtime.close();
        synchronized (readiness) {
            retired = true; // and those held here go to it
            readiness.notifyAll();
        }
    }

    /**
     * In the API's own context (it comes and goes with the application: what arrives while the
     * application is incomplete), and in the default one (what arrives while it is gone).
     */
    private static void registerFilters(BundleContext bundleContext, ConcurrentMap<String, Object> shared) {
        LoadedApart delegates = new LoadedApart(bundleContext.getDataFile("rest-hold").toPath(), ClassLoader.getPlatformClassLoader(),
                List.of(HeldRequests.class));
        Filter filter = (Filter) Proxy.newProxyInstance(Filter.class.getClassLoader(), new Class<?>[] {Filter.class},
                (InvocationHandler) delegates.instance(HeldRequests.class, shared));
        BundleContext framework = bundleContext.getBundle(Constants.SYSTEM_BUNDLE_ID).getBundleContext();
        framework.registerService(Filter.class, filter, new Hashtable<>(Map.of(
                "osgi.http.whiteboard.filter.pattern", "/*",
                "osgi.http.whiteboard.context.select", "(osgi.http.whiteboard.context.path=" + BASE + ")")));
        framework.registerService(Filter.class, filter, new Hashtable<>(Map.of(
                "osgi.http.whiteboard.filter.pattern", BASE + "/*",
                "osgi.http.whiteboard.context.select", "(osgi.http.whiteboard.context.name=default)")));
    }

    /** What the filters hand over: {@code doFilter}'s arguments. */
    private void hold(Object[] arguments) {
        try {
            doFilter((ServletRequest) arguments[0], (ServletResponse) arguments[1], (FilterChain) arguments[2]);
        } catch (IOException | ServletException e) {
            throw LoadedApart.<RuntimeException>sneaky(e); // the filter proxy declares both
        }
    }

    private void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        boolean mapAgain = false;
        if (!complete) {
            if (!awaitComplete(deadline)) {
                passOn(request, response, chain);
                return;
            }
            mapAgain = true; // where it was mapped when it arrived may be gone
        }
        while (true) {
            Unserved answer = new Unserved((HttpServletResponse) response);
            try {
                if (mapAgain) {
                    forward(request, answer);
                } else {
                    chain.doFilter(request, answer);
                }
            } catch (ServletException | RuntimeException e) {
                if (!reachedNoResource(e) || response.isCommitted() || !again(deadline)) {
                    throw e;
                }
                response.reset();
                mapAgain = true;
                continue;
            }
            if (!answer.unserved() || !again(deadline)) {
                answer.deliver();
                return;
            }
            // A servlet of the API answered while the application was being taken down or rebuilt,
            // before the runtime said so: the request reached no resource, so it is sent again.
            response.reset();
            mapAgain = true;
        }
    }

    /**
     * A request this revision cannot hold any more (it retired while the request waited) goes to the
     * next revision's hold; with none in sight, or when the wait ran out, it goes on as if there
     * were no filter.
     */
    private void passOn(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        long deadline = System.nanoTime() + SUCCESSOR_PATIENCE_NANOS;
        while (retired && System.nanoTime() - deadline < 0) {
            if (shared.get(HeldRequests.HOLD) instanceof Consumer<?> next && next != hold) {
                @SuppressWarnings("unchecked")
                Consumer<Object[]> successor = (Consumer<Object[]>) next;
                successor.accept(new Object[] {request, response, chain});
                return;
            }
            if (!pause()) {
                break;
            }
        }
        chain.doFilter(request, response);
    }

    /** After a short pause, whether to send a request again: time is left, and the API is complete. */
    private boolean again(long deadline) {
        return pause() && System.nanoTime() - deadline < 0 && awaitComplete(deadline);
    }

    /**
     * Whether CXF failed before any resource: its HTTP destination had lost its observer while the
     * application was being rebuilt (a NullPointerException it lets through).
     */
    private static boolean reachedNoResource(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            StackTraceElement[] where = cause.getStackTrace();
            if (cause instanceof NullPointerException && where.length > 0
                    && where[0].getClassName().equals("org.apache.cxf.transport.http.AbstractHTTPDestination")
                    && where[0].getMethodName().equals("invoke")) {
                return true;
            }
        }
        return false;
    }

    /** Maps the request again, in the API's context of now. */
    private static void forward(ServletRequest request, ServletResponse response) throws IOException, ServletException {
        ServletContext api = request.getServletContext().getContext(BASE);
        if (api == null) {
            throw new ServletException("the servlet container gives no context for " + BASE);
        }
        HttpServletRequest http = (HttpServletRequest) request;
        String path = http.getRequestURI().substring(api.getContextPath().length());
        String query = http.getQueryString();
        api.getRequestDispatcher(query == null ? path : path + "?" + query).forward(request, response);
    }

    /** Right after a request found the API gone, the runtime may not have said so yet: a short pause lets it catch up. */
    private static boolean pause() {
        try {
            Thread.sleep(RETRY_PAUSE_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until the API is complete, up to {@code deadline}; false when it is not by then, or this revision retired. */
    private boolean awaitComplete(long deadline) {
        synchronized (readiness) {
            while (!complete) {
                if (retired) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(readiness, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void look(JaxrsServiceRuntime service) {
        RuntimeDTO state;
        try {
            state = service.getRuntimeDTO();
        } catch (RuntimeException settingUp) { // asked while it registers: its next change count brings us back
            setComplete(false);
            return;
        }
        ApplicationDTO application = state.applicationDTOs == null ? null
                : Arrays.stream(state.applicationDTOs).filter(candidate -> APPLICATION.equals(candidate.name)).findFirst().orElse(null);
        setComplete(application != null && served(application));
    }

    /** Whether the runtime serves every part the application's bundle declares. */
    private boolean served(ApplicationDTO application) {
        ServiceReference<?> registered = reference(application.serviceId);
        if (registered == null || !(registered.getProperty(PARTS) instanceof Integer parts)) {
            return registered != null; // an application that declares nothing is complete once served
        }
        Bundle owner = registered.getBundle();
        long ours = java.util.stream.Stream.concat(Arrays.stream(application.resourceDTOs), Arrays.stream(application.extensionDTOs))
                .map(BaseDTO.class::cast).map(part -> reference(part.serviceId))
                .filter(part -> part != null && owner.equals(part.getBundle())).count();
        return ours >= parts;
    }

    private ServiceReference<?> reference(long serviceId) {
        try {
            ServiceReference<?>[] found = context.getAllServiceReferences(null, "(service.id=" + serviceId + ")");
            return found == null ? null : found[0];
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void setComplete(boolean now) {
        synchronized (readiness) {
            complete = now;
            readiness.notifyAll();
        }
    }

    /**
     * The response as the API's servlet writes it, except a 404: that one is held back until it is
     * known whether a resource answered it (JSON, passed on) or the servlet found no application to
     * give the request to (HTML, CXF's "No service was found": the request is sent again).
     */
    private static final class Unserved extends HttpServletResponseWrapper {
        private final ByteArrayOutputStream heldBody = new ByteArrayOutputStream();
        private boolean notFound;
        private ServletOutputStream stream;
        private PrintWriter writer;

        Unserved(HttpServletResponse response) {
            super(response);
        }

        boolean unserved() {
            flushWriter();
            String type = getContentType(); // however it was set: setContentType or a header
            return notFound && (type == null || type.startsWith("text/html"));
        }

        /** Passes a held-back 404 on, as written. */
        void deliver() throws IOException {
            flushWriter();
            if (notFound) {
                HttpServletResponse response = (HttpServletResponse) getResponse();
                response.setStatus(SC_NOT_FOUND);
                heldBody.writeTo(response.getOutputStream());
            }
        }

        @Override
        public int getStatus() {
            return notFound ? SC_NOT_FOUND : super.getStatus();
        }

        @Override
        public void setStatus(int status) {
            notFound = status == SC_NOT_FOUND;
            if (!notFound) {
                super.setStatus(status);
            }
        }

        @Override
        public void sendError(int status) throws IOException {
            sendError(status, null);
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            if (status == SC_NOT_FOUND) {
                notFound = true;
            } else {
                super.sendError(status, message);
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                ServletOutputStream real = super.getOutputStream();
                stream = new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        if (notFound) {
                            heldBody.write(b);
                        } else {
                            real.write(b);
                        }
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        if (notFound) {
                            heldBody.write(bytes, offset, length);
                        } else {
                            real.write(bytes, offset, length);
                        }
                    }

                    @Override
                    public void flush() throws IOException {
                        if (!notFound) {
                            real.flush();
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        flushWriter(); // what the servlet wrote through getWriter() comes first
                        if (!notFound) { // a held-back answer may yet be replaced
                            real.close();
                        }
                    }

                    @Override
                    public boolean isReady() {
                        return real.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        real.setWriteListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (writer == null) {
                writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), getCharacterEncoding()));
            }
            return writer;
        }

        @Override
        public void flushBuffer() throws IOException {
            flushWriter();
            if (!notFound) {
                super.flushBuffer();
            }
        }

        private void flushWriter() {
            if (writer != null) {
                writer.flush();
            }
        }
    }
}
