package lore.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The one Spark context of the tests: local mode, 2 threads, up to 4 attempts per task (so a test
 * can fail a task and see it retried), no UI, on loopback. Started on first use (a few seconds),
 * stopped when the test JVM exits.
 */
final class LocalSpark {
  private static JavaSparkContext sc;

  private LocalSpark() {}

  static synchronized JavaSparkContext context() {
    if (sc == null) {
      SparkConf conf =
          new SparkConf()
              .setMaster("local[2,4]")
              .setAppName("lore-spark-tests")
              .set("spark.ui.enabled", "false")
              .set("spark.driver.host", "127.0.0.1")
              .set("spark.driver.bindAddress", "127.0.0.1")
              .set("spark.sql.shuffle.partitions", "3");
      sc = new JavaSparkContext(conf);
      sc.setLogLevel("WARN");
      Runtime.getRuntime().addShutdownHook(new Thread(sc::stop));
    }
    return sc;
  }
}
