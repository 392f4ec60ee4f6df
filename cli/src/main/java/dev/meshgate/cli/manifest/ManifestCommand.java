package dev.meshgate.cli.manifest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import dev.meshgate.cli.CommandException;
import dev.meshgate.cli.UsageException;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.security.pki.PemException;

import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code meshctl manifest generate [--set key=value]... [--ca-cert root-cert.pem]}: prints meshgate's install
 * ({@link InstallManifest}) for the settings ({@link InstallSettings}) for {@code kubectl apply -f -}. With the
 * plug-in CA's root (the {@code root-cert.pem} of the {@code cacerts} Secret the control plane mounts) the webhook
 * configurations carry it as their caBundle; without it the caBundle is empty until the control plane's leader sets it.
 */
public final class ManifestCommand {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final java.io.InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    public ManifestCommand(java.io.InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public int run(List<String> args) {
        if (!args.isEmpty() && args.get(0).equals("install")) {
            // istioctl's older spelling, kept as an alias of `meshctl install`.
            return new InstallCommand(in, out, err).install(args.subList(1, args.size()));
        }
        if (args.isEmpty() || !args.get(0).equals("generate")) {
            throw new UsageException("manifest: " + (args.isEmpty() ? "missing subcommand" : args.get(0))
                    + " (expected: generate or install)");
        }
        List<String> sets = new java.util.ArrayList<>();
        Path caCert = null;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--ca-cert") && i + 1 < args.size()) {
                caCert = Path.of(args.get(++i));
            } else if (arg.equals("--set") && i + 1 < args.size()) {
                sets.add(args.get(++i));
            } else if (arg.startsWith("--set=")) {
                sets.add(arg.substring("--set=".length()));
            } else {
                throw new UsageException("manifest generate: unknown argument: " + arg
                        + " (expected: --set key=value, --ca-cert root-cert.pem)");
            }
        }
        InstallSettings settings = InstallSettings.parse(sets, caCert == null ? null : caBundle(caCert));
        settings.warnings().forEach(w -> err.println("meshctl manifest generate: " + w));
        if (caCert == null) {
            err.println("meshctl manifest generate: the control plane mounts the mesh CA from the Secret "
                    + InstallManifest.NAMESPACE + "/" + InstallManifest.CA_SECRET + " (create it first: README, or "
                    + "let `meshctl install` make one); the webhooks' caBundle is left empty for the control plane "
                    + "to fill in");
        }
        StringBuilder printed = new StringBuilder();
        for (ObjectNode object : InstallManifest.objects(settings)) {
            printed.append(YAML.writeValueAsString(object));
        }
        out.print(printed);
        return 0;
    }

    static String caBundle(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.UTF_8);
            if (Pem.certificates(pem).isEmpty()) {
                throw new CommandException("--ca-cert " + file + ": no certificate (expected: the CA's root-cert.pem)");
            }
        } catch (IOException e) {
            throw new CommandException("cannot read " + file + ": " + e);
        } catch (PemException e) {
            throw new CommandException("--ca-cert " + file + ": " + e.getMessage());
        }
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }
}
