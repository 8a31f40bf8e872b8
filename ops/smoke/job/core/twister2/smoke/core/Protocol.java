package twister2.smoke.core;

/** The smoke job's "core package": what the job master and the workers share. */
public final class Protocol {
    private Protocol() {}

    /** A worker's report line: "worker <id> <agent host> <container address>". */
    public static String report(int workerId, String host, String ip) {
        return "worker " + workerId + " " + host + " " + ip;
    }

    public static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    public static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
