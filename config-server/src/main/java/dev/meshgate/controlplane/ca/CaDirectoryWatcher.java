package dev.meshgate.controlplane.ca;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.meshgate.core.security.pki.CertificateIssuer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Reloads the CA when its {@code cacerts} files change on disk, as istiod reloads a plug-in CA: the operator writes a
 * new signing certificate, key and chain, and a {@code root-cert.pem} holding the old and the new root for the
 * overlap; the CA signs with the new one from then on and hands proxies the new bundle. The files are read every
 * {@code interval}; a half-written or bad set (not all four files, a key not matching, a chain not leading to a root)
 * is reported once with the file and the problem, and the CA keeps signing with what it had.
 */
final class CaDirectoryWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CaDirectoryWatcher.class);

    private final MeshCa ca;
    private final Path dir;
    private final Duration interval;
    private final Clock clock;
    private byte @Nullable [] seen;
    private @Nullable String lastProblem;
    private volatile @Nullable ScheduledExecutorService executor;

    CaDirectoryWatcher(MeshCa ca, Path dir, Duration interval, Clock clock) {
        this.ca = ca;
        this.dir = dir;
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    public void start() {
        seen = digest();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ca-directory-watcher");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        executor = scheduler;
    }

    /** Reloads the CA when the files differ from those last seen. */
    synchronized void check() {
        byte[] now = digest();
        if (Arrays.equals(now, seen)) {
            return;
        }
        try {
            CertificateIssuer issuer = CaDirectory.read(dir, clock.instant());
            var roots = CaDirectory.trustBundle(dir, issuer);
            seen = now;
            lastProblem = null;
            ca.reload(issuer, roots);
            log.info("CA: reloaded from {} (signing certificate {}, {} root(s) trusted)", dir,
                    issuer.certificate().getSubjectX500Principal().getName(), roots.size());
        } catch (CaException | IllegalArgumentException e) {
            // Files being replaced one by one look inconsistent for a moment: try again at the next change.
            if (!e.getMessage().equals(lastProblem)) {
                lastProblem = e.getMessage();
                log.warn("CA: not reloaded, the previous signing certificate keeps signing: {}", e.getMessage());
            }
        } catch (RuntimeException e) {
            log.warn("CA: reloading {} failed, the previous signing certificate keeps signing", dir, e);
        }
    }

    private byte[] digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String name : new String[] {CaDirectory.CA_CERT, CaDirectory.CA_KEY, CaDirectory.ROOT_CERT,
                    CaDirectory.CERT_CHAIN}) {
                Path file = dir.resolve(name);
                sha.update(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sha.update(Files.isReadable(file) ? Files.readAllBytes(file) : new byte[] {0});
            }
            return sha.digest();
        } catch (IOException e) {
            // Being replaced: this round counts as a change, the next read tells.
            return new byte[0];
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService scheduler = executor;
        if (scheduler != null) {
            scheduler.shutdownNow();
            executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
