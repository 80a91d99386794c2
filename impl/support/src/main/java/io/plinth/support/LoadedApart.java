package io.plinth.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Loads some of a bundle's classes with a class loader of their own, outside the bundle: for
 * objects that others keep after the bundle's revision has gone (Jetty's TLS managers, a servlet
 * filter, the contexts running components hold). Had the bundle's class loader defined them, every
 * update of the bundle would leave the retired revision reachable. They must refer only to the JDK
 * and to what {@code parent} gives them; this small loader is then all they pin.
 */
public final class LoadedApart {

    private final ClassLoader loader;

    /** Copies {@code classes} under {@code directory} and loads those copies, with {@code parent} for everything else. */
    public LoadedApart(Path directory, ClassLoader parent, List<Class<?>> classes) {
        try {
            for (Class<?> type : classes) {
                String file = type.getName().replace('.', '/') + ".class";
                Path copy = directory.resolve(file);
                Files.createDirectories(copy.getParent());
                try (InputStream in = type.getClassLoader().getResourceAsStream(file)) {
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            // Never closed: what it loaded may be used after this revision has gone.
            loader = new URLClassLoader(new URL[] {directory.toUri().toURL()}, parent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new instance of the copy of {@code type}, made with the public constructor taking {@code arguments}. */
    public Object instance(Class<?> type, Object... arguments) {
        try {
            Class<?> copy = loader.loadClass(type.getName());
            for (java.lang.reflect.Constructor<?> constructor : copy.getConstructors()) {
                if (constructor.getParameterCount() == arguments.length) {
                    return constructor.newInstance(arguments);
                }
            }
            throw new IllegalStateException(type.getName() + " has no public constructor taking " + arguments.length + " arguments");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + type.getName() + " apart from the bundle", e);
        }
    }

    /** Throws a checked exception where the caller's signature cannot say so (its proxy's can). */
    @SuppressWarnings("unchecked")
    public static <E extends Throwable> E sneaky(Throwable thrown) throws E {
        throw (E) thrown;
    }
}
