import ConvnetTestSupport
import XCTest
@testable import ConvnetIR

/// One input of a gradient check: its values, and whether the gradient is checked against it.
struct CheckArg {
    var name: String
    var type: TensorType
    var values: [Double]
    var differentiable: Bool

    init(_ name: String, _ type: TensorType, _ values: [Double], differentiable: Bool = true) {
        precondition(values.count == type.elementCount, "\(name): \(values.count) values for \(type)")
        self.name = name
        self.type = type
        self.values = values
        self.differentiable = differentiable && type.element == .f32
    }

    var tensor: Tensor<Double> { Tensor(type.element, shape: type.shape, scalars: values) }
}

/// Builds `f(args)` with `body`, reduces a non-scalar result to a scalar with a fixed random
/// cotangent (`sum(f * r)`), differentiates it with `Autodiff`, and compares every gradient
/// element with a central finite difference computed by the Double interpreter.
func assertGradientsMatchFiniteDifferences(
    _ args: [CheckArg], step h: Double = 1e-6, tolerance: Double = 1e-6, seed: UInt64 = 1,
    file: StaticString = #filePath, line: UInt = #line,
    _ body: (inout Graph, [ValueID]) -> ValueID
) {
    var g = Graph()
    let ids = args.map { g.input($0.name, $0.type, role: $0.differentiable ? .parameter : .data) }
    let y = body(&g, ids)
    var inputs = Dictionary(uniqueKeysWithValues: args.map { ($0.name, $0.tensor) })
    var loss = y
    let yType = g.typeOf(y)
    if !yType.isScalar {
        var rng = TestRandom(seed: seed &+ 99)
        let r = g.input("cotangent", yType, role: .data)
        inputs["cotangent"] = Tensor(shape: yType.shape, scalars: rng.values(yType.elementCount, -1, 1))
        loss = g.emit(.reduceSum, [g.mul(y, r)])
    }
    let wrt = args.indices.filter { args[$0].differentiable }
    let grads: [ValueID]
    do {
        grads = try Autodiff.gradients(of: loss, wrt: wrt.map { ids[$0] }, in: &g)
    } catch {
        return XCTFail("autodiff failed: \(error)", file: file, line: line)
    }
    g.outputs = [GraphOutput(name: "loss", value: loss)]
        + grads.enumerated().map { GraphOutput(name: "grad\($0.offset)", value: $0.element) }
    let problems = Verifier.verify(g)
    XCTAssertEqual(problems.map(\.message), [], file: file, line: line)
    guard problems.isEmpty else { return }

    let interpreter = Interpreter<Double>()
    do {
        let base = try interpreter.run(g, inputs: inputs)
        var lossOnly = g
        lossOnly.outputs = [GraphOutput(name: "loss", value: loss)]
        for (k, argIndex) in wrt.enumerated() {
            let arg = args[argIndex]
            let analytic = base["grad\(k)"]!.scalars
            for i in 0..<arg.values.count {
                var plus = arg.values, minus = arg.values
                plus[i] += h
                minus[i] -= h
                inputs[arg.name] = Tensor(shape: arg.type.shape, scalars: plus)
                let lp = try interpreter.run(lossOnly, inputs: inputs)["loss"]!.scalar
                inputs[arg.name] = Tensor(shape: arg.type.shape, scalars: minus)
                let lm = try interpreter.run(lossOnly, inputs: inputs)["loss"]!.scalar
                let numeric = (lp - lm) / (2 * h)
                let scale = max(1, abs(numeric), abs(analytic[i]))
                if abs(numeric - analytic[i]) > tolerance * scale {
                    return XCTFail("d/d\(arg.name)[\(i)]: autodiff \(analytic[i]), finite difference \(numeric)",
                                   file: file, line: line)
                }
            }
            inputs[arg.name] = arg.tensor
        }
    } catch {
        XCTFail("interpreter failed: \(error)", file: file, line: line)
    }
}
