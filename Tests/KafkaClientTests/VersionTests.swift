import Testing
@testable import KafkaClient

@Test func linksAgainstLibrdkafka2() {
    #expect(Librdkafka.version.hasPrefix("2.16"))
}
