package dev.meshgate.bench.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds the load tool and the competitors (wrk, nginx, HAProxy, Caddy) and, when allowed, installs the missing ones from
 * the distribution's packages ({@code apt-get install}, Debian's package names). A tool that stays missing is
 * reported with the reason, and the scenarios that need it are skipped.
 */
public final class Installer {

    /** A tool: its executable and the Debian package that brings it. */
    public enum Tool {
        WRK("wrk", "wrk"),
        NGINX("nginx", "nginx-light"),
        /** nginx's {@code stream} module (TCP proxying), loaded with {@code load_module}: a file, not a command. */
        NGINX_STREAM("ngx_stream_module.so", "libnginx-mod-stream", Path.of("/usr/lib/nginx/modules")),
        HAPROXY("haproxy", "haproxy"),
        CADDY("caddy", "caddy");

        private final String executable;
        private final String debianPackage;
        private final Path directory;

        Tool(String executable, String debianPackage) {
            this(executable, debianPackage, null);
        }

        /** A tool found only in {@code directory}, not on the PATH. */
        Tool(String executable, String debianPackage, Path directory) {
            this.executable = executable;
            this.debianPackage = debianPackage;
            this.directory = directory;
        }

        public String executable() {
            return executable;
        }
    }

    private static final List<Path> SEARCH = List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"),
            Path.of("/usr/local/sbin"), Path.of("/usr/local/bin"), Path.of("/sbin"), Path.of("/bin"));

    private final Map<Tool, Path> found = new LinkedHashMap<>();
    private final Map<Tool, String> missing = new LinkedHashMap<>();

    private Installer() {
    }

    /** Looks for every tool; installs what is missing when {@code install} is set. */
    public static Installer ensure(boolean install) {
        Installer installer = new Installer();
        List<Tool> absent = new ArrayList<>();
        for (Tool tool : Tool.values()) {
            Path path = locate(tool);
            if (path != null) {
                installer.found.put(tool, path);
            } else {
                absent.add(tool);
            }
        }
        if (absent.isEmpty()) {
            return installer;
        }
        String why = install ? aptInstall(absent) : "not installed (--no-install)";
        for (Tool tool : absent) {
            Path path = locate(tool);
            if (path != null) {
                installer.found.put(tool, path);
            } else {
                installer.missing.put(tool, why);
            }
        }
        return installer;
    }

    /** The executable, or null when the tool is missing. */
    public Path path(Tool tool) {
        return found.get(tool);
    }

    public boolean has(Tool tool) {
        return found.containsKey(tool);
    }

    /** Why each missing tool is missing. */
    public Map<Tool, String> missing() {
        return Map.copyOf(missing);
    }

    private static Path locate(Tool tool) {
        if (tool.directory != null) {
            Path file = tool.directory.resolve(tool.executable);
            return Files.isRegularFile(file) ? file : null;
        }
        return locate(tool.executable);
    }

    private static Path locate(String executable) {
        List<Path> dirs = new ArrayList<>(SEARCH);
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(":")) {
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        return dirs.stream().map(dir -> dir.resolve(executable)).filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** Runs {@code apt-get install}, after {@code apt-get update} if the first attempt fails; returns a reason. */
    private static String aptInstall(List<Tool> tools) {
        if (locate("apt-get") == null) {
            return "missing and no apt-get here to install it";
        }
        List<String> packages = tools.stream().map(tool -> tool.debianPackage).toList();
        System.out.println("bench: installing " + packages + " (apt-get)...");
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq"));
        install.addAll(packages);
        if (run(install) == 0) {
            return "installed";
        }
        run(List.of("apt-get", "update", "-qq"));
        int exit = run(install);
        return exit == 0 ? "installed" : "apt-get install " + packages + " failed (exit " + exit
                + "; not root, or no package repository reachable)";
    }

    private static int run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process process = builder.start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
