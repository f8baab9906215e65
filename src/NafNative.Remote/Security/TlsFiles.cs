using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace NafNative.Remote.Security;

/// <summary>Loads the certificates the user supplies: the learner's (PEM certificate + key, or a PKCS#12 file) and,
/// on workers, the certificate or CA to trust for a learner whose certificate no system CA signed.</summary>
public static class TlsFiles
{
    /// <summary>The environment variable holding a PKCS#12 file's password (none when unset).</summary>
    public const string PfxPasswordVariable = "NAF_TLS_PASSWORD";

    /// <summary>A PEM certificate with its PEM key file, or a .pfx/.p12 file (<paramref name="keyFile"/> null).</summary>
    public static X509Certificate2 LoadServerCertificate(string certificateFile, string? keyFile)
    {
        try
        {
            if (keyFile is not null)
            {
                using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
                // Re-imported so the private key is usable by SslStream on every platform (a PEM key is ephemeral).
                return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            if (certificateFile.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || certificateFile.EndsWith(".crt", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--tls-cert {certificateFile}: a PEM certificate needs its key: add --tls-key KEY.pem.");
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(certificateFile, Environment.GetEnvironmentVariable(PfxPasswordVariable));
            if (!certificate.HasPrivateKey) throw new ArgumentException($"--tls-cert {certificateFile}: the file holds no private key.");
            return certificate;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--tls-cert {certificateFile}{(keyFile is null ? "" : $" --tls-key {keyFile}")}: {e.Message}", e);
        }
    }

    /// <summary>A validation callback that accepts the learner's certificate when it chains to one of the
    /// certificates in <paramref name="trustFile"/> (PEM; a self-signed learner certificate itself works) and names
    /// the host the worker connected to; null <paramref name="trustFile"/> keeps the system's CA store.</summary>
    public static RemoteCertificateValidationCallback? TrustOnly(string? trustFile)
    {
        if (trustFile is null) return null;
        var trusted = new X509Certificate2Collection();
        try { trusted.ImportFromPemFile(trustFile); }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--tls-ca {trustFile}: {e.Message}", e);
        }
        if (trusted.Count == 0) throw new ArgumentException($"--tls-ca {trustFile}: no PEM certificate in the file.");
        return (_, certificate, _, errors) =>
        {
            if (certificate is null) return false;
            // A name mismatch is never forgiven; only the chain is checked against the given store instead of the system's.
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
    }
}
