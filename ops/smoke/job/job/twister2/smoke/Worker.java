package twister2.smoke;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import twister2.smoke.core.Protocol;

/** A worker: reports its WORKER_ID and agent to the job master over the overlay network (retrying for T2_WAIT_SECS). */
public final class Worker {
    public static void main(String[] args) throws Exception {
        int id = Integer.parseInt(Protocol.env("WORKER_ID", "1"));
        String host = Protocol.env("T2_AGENT_HOST", "unknown");
        String master = Protocol.env("JOB_MASTER_IP", "");
        int port = Integer.parseInt(Protocol.env("JOB_MASTER_PORT", "11011"));
        int waitSecs = Integer.parseInt(Protocol.env("T2_WAIT_SECS", "60"));
        long deadline = System.currentTimeMillis() + waitSecs * 1000L;
        Exception last = null;
        while (System.currentTimeMillis() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(master, port), 5000);
                socket.setSoTimeout(10000);
                // Its own address as the job master sees it: the one on the network they share.
                new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)
                    .println(Protocol.report(id, host, socket.getLocalAddress().getHostAddress()));
                String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
                if ("ok".equals(answer)) {
                    System.out.println("worker " + id + " on " + host + ": reported to the job master at " + master + ":" + port);
                    return;
                }
                last = new Exception("the job master answered '" + answer + "'");
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(1000);
        }
        System.err.println("worker " + id + " on " + host + ": cannot reach the job master at " + master + ":" + port
            + " over the overlay network within " + waitSecs + " s: " + last);
        System.exit(1);
    }
}
