using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NafNative.Remote.Client;
using NafNative.Remote.Security;
using NUnit.Framework;

namespace NafNative.Remote.Tests;

/// <summary>TLS with a certificate the user supplies (PEM certificate + key): a worker that trusts it connects, one
/// that does not is refused with the reason, and stops instead of retrying for ever.</summary>
[CancelAfter(60_000)]
public sealed class TlsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"nafnative-tls-{Guid.NewGuid():N}"));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, written as cert.pem and key.pem.</summary>
    internal static (string Cert, string Key) WriteSelfSigned(string dir, string name = "learner")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string cert = Path.Combine(dir, $"{name}.pem"), keyFile = Path.Combine(dir, $"{name}.key");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (cert, keyFile);
    }

    [Test]
    public void Tls_WorkerTrustsTheCertificate_RegistersAndInserts()
    {
        var (cert, key) = WriteSelfSigned(_dir);
        using var certificate = TlsFiles.LoadServerCertificate(cert, key);
        using var learner = new TestLearner(certificate: certificate);
        Assert.That(learner.Url, Does.StartWith("https://127.0.0.1:"));
        using var channel = RemoteChannel.Create(learner.Url, trustFile: cert);
        var connection = learner.Connect(channel, new ChecksumEnvironment(1));
        connection.Register(CancellationToken.None);
        var reply = connection.Insert(LearnerServiceTests.Batch(1, 0, 16, 1), CancellationToken.None);
        Assert.That(reply.AcceptedSequence, Is.EqualTo(1));
        Assert.That(learner.Ring.Inserted, Is.EqualTo(16));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Tls_WorkerDoesNotTrustTheCertificate_RefusedWithTheReason(bool otherCa)
    {
        var (cert, key) = WriteSelfSigned(_dir);
        var (other, _) = WriteSelfSigned(_dir, "someone-else");
        using var certificate = TlsFiles.LoadServerCertificate(cert, key);
        using var learner = new TestLearner(certificate: certificate);
        using var channel = RemoteChannel.Create(learner.Url, trustFile: otherCa ? other : null);
        var connection = learner.Connect(channel, new ChecksumEnvironment(1));
        var e = Assert.Throws<RemoteRefusedException>(() => connection.Register(CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("TLS to the learner failed").And.Contains("--tls-ca"));
        Assert.That(learner.Ring.Inserted, Is.Zero);
    }

    [Test]
    public void Channel_TrustFileWithPlaintextUrl_Refused() =>
        Assert.That(() => RemoteChannel.Create("http://127.0.0.1:1", trustFile: "ca.pem"), Throws.ArgumentException.With.Message.Contains("use https://"));

    [Test]
    public void SharedToken_TooShort_RefusedWithHowToMakeOne() =>
        Assert.That(() => new SharedToken("short"), Throws.ArgumentException.With.Message.Contains("at least 16"));
}
