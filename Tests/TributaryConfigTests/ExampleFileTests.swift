import Testing
import TributaryTesting
@testable import TributaryConfig

@Test func theShippedExampleConfigurationLoads() throws {
    let path = TestEnvironment.packageRoot.appendingPathComponent("tributary.example.toml").path
    let config = try TributaryConfig.load(file: path, environment: [:])
    #expect(config.bootstrapServers == nil)
    #expect(config.duration("processing.interval") == .seconds(10))
    #expect(config.entries["web.listen"]?.source == .file(path))
}
