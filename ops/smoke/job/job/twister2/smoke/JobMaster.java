package twister2.smoke;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.TreeMap;

import twister2.smoke.core.Protocol;

/**
 * Task 0: listens on JOB_MASTER_PORT for T2_WORKERS workers to report over the overlay network, then
 * writes the result to /persistent-volume/result.json and prints it. Exit 2: workers missing in time;
 * exit 4: the share is not writable.
 */
public final class JobMaster {
    public static void main(String[] args) throws Exception {
        int workers = Integer.parseInt(Protocol.env("T2_WORKERS", "1"));
        int port = Integer.parseInt(Protocol.env("JOB_MASTER_PORT", "11011"));
        int waitSecs = Integer.parseInt(Protocol.env("T2_WAIT_SECS", "180"));
        String job = Protocol.env("JOB_ID", "unknown");
        String host = Protocol.env("T2_AGENT_HOST", "unknown");
        TreeMap<Integer, String> reports = new TreeMap<>();
        long deadline = System.currentTimeMillis() + waitSecs * 1000L;
        String ownAddress = "unknown"; // the address workers reach it at, seen from the first connection
        System.out.println("job master of " + job + " on " + host + " (port " + port + "): waiting for " + workers + " workers");
        try (ServerSocket server = new ServerSocket(port)) {
            while (reports.size() < workers) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    System.err.println("job master: only " + reports.size() + " of " + workers
                        + " workers reported within " + waitSecs + " s (reported: " + reports.keySet() + ")");
                    System.exit(2);
                }
                server.setSoTimeout((int) Math.min(left, 5000));
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(10000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    String line = in.readLine();
                    String[] parts = line == null ? new String[0] : line.trim().split(" ");
                    if (parts.length == 4 && parts[0].equals("worker")) {
                        ownAddress = socket.getLocalAddress().getHostAddress();
                        int id = Integer.parseInt(parts[1]);
                        reports.put(id, "{\"workerId\":" + id + ",\"host\":" + Protocol.quote(parts[2])
                            + ",\"ip\":" + Protocol.quote(parts[3]) + "}");
                        new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8).println("ok");
                        System.out.println("worker " + id + " reported from " + parts[2] + " (" + parts[3] + ")");
                    }
                } catch (SocketTimeoutException e) {
                    // keep waiting until the deadline
                }
            }
        }
        String result = "{\"job\":" + Protocol.quote(job) + ",\"jobMaster\":{\"host\":" + Protocol.quote(host)
            + ",\"ip\":" + Protocol.quote(ownAddress) + "},\"workers\":["
            + String.join(",", reports.values()) + "],\"finishedAt\":" + Protocol.quote(Instant.now().toString()) + "}";
        System.out.println("twister2-smoke-result " + result);
        try {
            Files.writeString(Path.of("/persistent-volume/result.json"), result + "\n", StandardCharsets.UTF_8);
        } catch (Exception e) {
            System.err.println("job master: cannot write /persistent-volume/result.json (is the job's directory on the share writable?): " + e);
            System.exit(4);
        }
    }
}
