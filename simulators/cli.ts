import { AxisSimulator } from "./axis";
import { startControlServer } from "./control";
import { SpsSimulator } from "./sps";

/**
 * `npm run simulators [-- --cameras N --sps N --latency-ms MS]`: starts simulated cameras and appliances on
 * loopback. The first stdout line is one JSON object for scripts; the rest is for people.
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} takes a number`);
    return v;
  };
  const latencyMs = arg("latency-ms", 0);
  const cameras = await Promise.all(
    Array.from({ length: arg("cameras", 1) }, () => AxisSimulator.start({ latencyMs })),
  );
  const appliances = await Promise.all(
    Array.from({ length: arg("sps", 1) }, () => SpsSimulator.start({ latencyMs })),
  );
  const control = await startControlServer(cameras, appliances, arg("control-port", 0));
  const summary = {
    axis: cameras.map((c) => ({
      http: c.httpUrl,
      https: c.httpsUrl,
      username: c.username,
      password: c.password,
      caCertificate: c.caCertificatePem,
    })),
    sps: appliances.map((s) => ({
      url: s.url,
      username: s.username,
      password: s.password,
      caCertificate: s.caCertificatePem,
    })),
    control: control.url,
  };
  process.stdout.write(JSON.stringify(summary) + "\n");
  for (const [i, c] of cameras.entries())
    console.log(`camera ${i}: ${c.httpUrl} (Digest) and ${c.httpsUrl} (Basic), user ${c.username}`);
  for (const [i, s] of appliances.entries()) console.log(`SPS ${i}: ${s.url}, user ${s.username}`);
  console.log(
    `control: POST ${control.url}/axis/0/deleteCertificate with body ["<id>"] (see README); Ctrl-C to stop`,
  );
  const stop = async () => {
    await Promise.all([...cameras.map((c) => c.stop()), ...appliances.map((s) => s.stop()), control.close()]);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: Error) => {
  console.error(`simulators: ${err.message}`);
  process.exit(1);
});
