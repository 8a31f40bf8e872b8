package twister2.smoke;

/** A worker that fails on purpose (exit 3): `npm run smoke -- STACK --worker-class twister2.smoke.FailingWorker`. */
public final class FailingWorker {
    public static void main(String[] args) {
        System.err.println("FailingWorker " + System.getenv("WORKER_ID") + ": exiting with status 3, as asked");
        System.exit(3);
    }
}
