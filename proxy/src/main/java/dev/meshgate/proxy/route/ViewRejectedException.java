package dev.meshgate.proxy.route;

/**
 * A view that cannot be applied; the message names the route (or listener, or cluster) and the field, e.g.
 * {@code route default.web.0 matches[0].headers[cookie]: invalid regex "(?=a)": lookahead "(?=" is not supported (RE2
 * has no lookaround)}. The
 * previously applied view keeps serving. The proxy NACKs with this message.
 */
public final class ViewRejectedException extends Exception {

    private final String version;

    public ViewRejectedException(String version, String reason) {
        super(reason);
        this.version = version;
    }

    /** The version of the rejected view. */
    public String version() {
        return version;
    }

    /** Why the view was rejected. */
    public String reason() {
        return getMessage();
    }
}
