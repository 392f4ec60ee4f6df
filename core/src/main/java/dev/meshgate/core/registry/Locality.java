package dev.meshgate.core.registry;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Where a workload or a proxy runs, Istio's {@code region/zone/subzone} triplet: the key of locality load
 * balancing ({@code localityLbSetting}). Parsed as Istio's {@code SplitLocality} does: parts are separated by
 * {@code /}, missing trailing parts are empty, parts past the third are ignored; an empty region means "unknown".
 *
 * @param region e.g. {@code us-east1}; empty when unknown
 * @param zone e.g. {@code us-east1-b}; empty when unknown
 * @param subzone Istio's finer division (a rack), from {@code topology.istio.io/subzone}; empty when unknown
 */
public record Locality(String region, String zone, String subzone) {

    /** No locality known. */
    public static final Locality UNKNOWN = new Locality("", "", "");

    /** Istio's pod and WorkloadEntry label carrying a locality, with {@code .} in place of {@code /}. */
    public static final String LABEL = "istio-locality";

    /** The Kubernetes node label holding the region. */
    public static final String REGION_LABEL = "topology.kubernetes.io/region";

    /** The Kubernetes node label holding the zone. */
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    /** Istio's node label holding the subzone. */
    public static final String SUBZONE_LABEL = "topology.istio.io/subzone";

    public Locality {
        region = region == null ? "" : region;
        zone = zone == null ? "" : zone;
        subzone = subzone == null ? "" : subzone;
    }

    /** {@code region/zone/subzone}, or {@link #UNKNOWN} for null or blank. */
    public static Locality parse(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return UNKNOWN;
        }
        String[] parts = value.trim().split("/", -1);
        return new Locality(parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
    }

    /**
     * The locality of a workload: {@code explicit} (a WorkloadEntry's {@code locality}, a proxy's configured one)
     * when given, else Istio's {@code istio-locality} label ({@code region.zone.subzone}, dots because a label
     * value cannot hold {@code /}), else the topology labels; {@link #UNKNOWN} when none says.
     */
    public static Locality of(@Nullable String explicit, Map<String, String> labels) {
        if (explicit != null && !explicit.isBlank()) {
            return parse(explicit);
        }
        String label = labels.get(LABEL);
        if (label != null && !label.isBlank()) {
            return parse(label.replace('.', '/'));
        }
        String region = labels.get(REGION_LABEL);
        if (region != null && !region.isBlank()) {
            return new Locality(region, labels.getOrDefault(ZONE_LABEL, ""), labels.getOrDefault(SUBZONE_LABEL, ""));
        }
        return UNKNOWN;
    }

    /** Whether the region (and so the locality) is unknown, as Istio's {@code IsLocalityEmpty} decides. */
    public boolean isUnknown() {
        return region.isEmpty();
    }

    /**
     * Whether this locality is one {@code rule} names, as Istio's {@code LocalityMatch}: each part of the rule is
     * a value or {@code *}; an absent zone or subzone in the rule matches any.
     */
    public boolean matches(String rule) {
        Locality pattern = parse(rule);
        return (pattern.region.equals("*") || pattern.region.equals(region))
                && (pattern.zone.isEmpty() || pattern.zone.equals("*") || pattern.zone.equals(zone))
                && (pattern.subzone.isEmpty() || pattern.subzone.equals("*") || pattern.subzone.equals(subzone));
    }

    /**
     * How far {@code other} is from this locality, Istio's {@code LbPriority}: 0 same region, zone and subzone;
     * 1 same region and zone; 2 same region; 3 another region.
     */
    public int distanceTo(Locality other) {
        if (!region.equals(other.region)) {
            return 3;
        }
        if (!zone.equals(other.zone)) {
            return 2;
        }
        return subzone.equals(other.subzone) ? 0 : 1;
    }

    /** {@code region/zone/subzone} without trailing empty parts; empty when unknown. */
    @Override
    public String toString() {
        if (subzone.isEmpty()) {
            return zone.isEmpty() ? region : region + "/" + zone;
        }
        return region + "/" + zone + "/" + subzone;
    }
}
