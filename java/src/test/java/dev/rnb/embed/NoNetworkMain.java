package dev.rnb.embed;

import dev.rnb.cli.Main;

import java.net.Socket;
import java.net.SocketPermission;
import java.security.Permission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs {@code rnb ARGS} in this JVM under a security manager that refuses and
 * records every network operation (connect, resolve, listen, accept); exits
 * 99 naming them if there was any, else with rnb's exit code. Run by
 * {@link NoNetworkTest} in a fresh JVM.
 */
public final class NoNetworkMain {
    private static final List<String> attempts = new ArrayList<>();

    private NoNetworkMain() {}

    /**
     * The JDK's fontconfig support (drawing the k-sweep plot) resolves this
     * machine's own host name to name its font cache file; that is a local
     * name lookup of the JDK's, not a connection, and the only one allowed.
     */
    private static boolean fontConfigurationNamingItsCache(Permission p) {
        return p.getActions().equals("resolve") && Arrays.stream(new Throwable().getStackTrace())
                .anyMatch(f -> f.getClassName().equals("sun.font.FcFontConfiguration"));
    }

    /** The first frames outside the JDK and this class: who asked for the network. */
    private static String caller() {
        return Arrays.stream(new Throwable().getStackTrace())
                .filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("sun.")
                        && !f.getClassName().startsWith("jdk.") && !f.getClassName().startsWith(NoNetworkMain.class.getName()))
                .limit(4).map(StackTraceElement::toString).toList().toString();
    }

    public static void main(String[] args) {
        System.setSecurityManager(new SecurityManager() {
            @Override
            public void checkPermission(Permission p) {
                if (p instanceof SocketPermission && !fontConfigurationNamingItsCache(p)) {
                    synchronized (attempts) {
                        attempts.add(p.getActions() + " " + p.getName() + " from " + caller());
                    }
                    throw new SecurityException("network access refused: " + p.getActions() + " " + p.getName());
                }
            }

            @Override
            public void checkPermission(Permission p, Object context) {
                checkPermission(p);
            }
        });
        // The guard must be live: a connection attempt is refused and recorded.
        try (Socket s = new Socket("127.0.0.1", 9)) {
            System.err.println("the guard let a connection through");
            System.exit(98);
        } catch (SecurityException expected) {
            attempts.clear();
        } catch (java.io.IOException e) {
            System.err.println("the guard did not see a connection: " + e);
            System.exit(98);
        }
        int code = Main.run(args);
        synchronized (attempts) {
            if (!attempts.isEmpty()) {
                System.err.println("network access attempted: " + attempts);
                System.exit(99);
            }
        }
        System.exit(code);
    }
}
