import Foundation

/// Reads a JSON fixture that lives beside the tests (made by a script under tools/fixtures/).
func loadFixture<T: Decodable>(_ name: String, as type: T.Type, file: StaticString = #filePath) throws -> T {
    let url = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}
