package dev.meshgate.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import dev.meshgate.cli.demo.DemoCommand;
import dev.meshgate.cli.manifest.InstallCommand;
import dev.meshgate.cli.manifest.ManifestCommand;

/**
 * meshctl, the command line of meshgate: {@code analyze PATH...}, {@code proxy-status}, {@code demo}, {@code dashboard},
 * {@code help}.
 * Exit codes: 0 fine, 1 the command found a problem (errors in the config, control plane unreachable), 2 the
 * command line was wrong. Every error is one line on stderr, never a stack trace.
 */
public final class Meshctl {

    /** Exit code: the command found a problem. */
    public static final int FAILED = 1;
    /** Exit code: the command line was wrong. */
    public static final int USAGE = 2;

    static final String USAGE_TEXT = """
            usage: meshctl <command> [options]
              analyze [-o text|json|yaml] [--mesh-config FILE] PATH...
                                                            validate files, directories (every *.yaml, *.yml, *.json the
                                                            control plane would read) and - (stdin) together; exit 1 on errors
              simulate --config DIR [--mesh-config FILE] --proxy NAME.NAMESPACE [--labels k=v,...] [-X METHOD] [-H 'k: v']...
                  [-o text|json|yaml] URL                   where the proxy would send the request and why (offline):
                                                            listener, virtual host, one line per http[i] tried (file
                                                            and line), clusters and weights, endpoints, timeout,
                                                            retries, fault, mirror, pool...; --mesh-config: MeshConfig
              proxy-status [--control-plane host:port]      every proxy the control plane knows and the version it applied
                                                            (default control plane 127.0.0.1:15010)
              proxy-config listeners|routes|clusters|endpoints NAME.NAMESPACE [--admin host:port]
                  [--control-plane host:port] [-o text|json|yaml]
                                                            what a running proxy serves, from its admin port (found
                                                            through proxy-status unless --admin gives it)
              demo [--dir DIR]                              run a local mesh: control plane over DIR (default samples/mesh),
                                                            an ingress gateway, web v1 x2 and v2 x2 with sidecars, Zipkin
                                                            and Prometheus; Ctrl-C stops it
              dashboard prometheus|zipkin|grafana [--address host:port] [--browser]
                                                            print the addon's URL (the demo's ports unless --address),
                                                            open it with xdg-open when --browser is given
              workload credential NAME.NAMESPACE [--service-account SA] -o DIR [--control-plane host:port]
                                                            bootstrap credentials for a proxy outside Kubernetes (token,
                                                            root cert, TLS discovery address) from the running control
                                                            plane, for --meshgate.proxy.credentials=DIR
              kube-inject -f FILE|- [--revision R] [--proxy-image IMAGE] [--init-image IMAGE] [--discovery-address host:port]
                                                            print the manifests with the meshgate sidecar injected into
                                                            every pod template that does not opt out (as istioctl
                                                            kube-inject), e.g. | kubectl apply -f -
              iptables --dry-run|--apply [-p 15001] [-z 15006] [-u 1337] [-g 1337] [-i CIDRS|*] [-x CIDRS]
                  [-b PORTS|*] [-d PORTS] [-o PORTS]        Istio's interception rules (istio-iptables' flags) as
                                                            iptables-restore input: print them, or apply them in this
                                                            network namespace (needs NET_ADMIN)
              manifest generate [--set key=value]... [--ca-cert root-cert.pem]
                                                            print the Kubernetes install: profile=default|demo|minimal,
                                                            revision=R, meshConfig.*, ... (docs/meshctl.md)
              install [--set key=value]... [--ca-cert root-cert.pem] [--kubeconfig FILE] [--context NAME] [-y]
                                                            apply that manifest to the cluster (create, else a merge
                                                            patch; CRDs before the rest; makes the cacerts Secret when
                                                            absent; does not wait for readiness); also `manifest install`
              uninstall [--set revision=R] [--purge] [--kubeconfig FILE] [--context NAME] [-y]
                                                            delete it, webhooks first; CRDs (with every Istio resource),
                                                            the cacerts Secret and istio-system only with --purge
              help                                          this text""";

    private Meshctl() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.in, System.out, System.err));
    }

    /** Runs one command and returns its exit code. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Runs one command, with {@code in} as its stdin ({@code analyze -}), and returns its exit code. */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        if (args.isEmpty() || List.of("help", "-h", "--help").contains(args.get(0))) {
            out.println(USAGE_TEXT);
            return 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "analyze" -> new AnalyzeCommand(out, in).run(rest);
                case "simulate" -> new SimulateCommand(out).run(rest);
                case "proxy-config" -> new ProxyConfigCommand(out).run(rest);
                case "proxy-status" -> new ProxyStatusCommand(out).run(rest);
                case "demo" -> new DemoCommand(out).run(rest);
                case "dashboard" -> new DashboardCommand(out).run(rest);
                case "workload" -> new WorkloadCredentialCommand(out).run(rest);
                case "kube-inject" -> new KubeInjectCommand(out, err, in).run(rest);
                case "manifest" -> new ManifestCommand(in, out, err).run(rest);
                case "install" -> new InstallCommand(in, out, err).install(rest);
                case "uninstall" -> new InstallCommand(in, out, err).uninstall(rest);
                case "iptables" -> new IptablesCommand(out).run(rest);
                default -> throw new UsageException("unknown command: " + args.get(0));
            };
        }
        catch (UsageException e) {
            err.println("meshctl: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        catch (CommandException e) {
            err.println("meshctl " + args.get(0) + ": " + e.getMessage());
            return FAILED;
        }
        catch (RuntimeException e) {
            // A bug in meshctl or in core: still one line, naming what went wrong.
            err.println("meshctl " + args.get(0) + ": internal error: " + e);
            return FAILED;
        }
    }
}
