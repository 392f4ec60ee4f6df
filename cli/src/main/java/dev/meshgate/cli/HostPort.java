package dev.meshgate.cli;

/** A {@code host:port} argument, such as the control plane's address. */
public record HostPort(String host, int port) {

    /** Parses {@code host:port}; a bad value is a {@link UsageException} naming {@code option}. */
    public static HostPort parse(String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon > 0 && colon < value.length() - 1) {
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                if (port > 0 && port <= 65535) {
                    return new HostPort(value.substring(0, colon), port);
                }
            }
            catch (NumberFormatException e) {
                // falls through to the usage error below
            }
        }
        throw new UsageException(option + ": " + value + " (expected: host:port)");
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
