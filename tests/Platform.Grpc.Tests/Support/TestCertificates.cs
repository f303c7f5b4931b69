using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Platform.Grpc.Tests.Support;

public static class TestCertificates
{
    /// <summary>A self-signed server certificate for localhost and 127.0.0.1, made in the test (nothing on disk or in a store).</summary>
    public static X509Certificate2 CreateSelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Round-trip through PKCS#12 so Kestrel gets a certificate whose private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes the certificate and its private key as PEM files (for the Node peer); delete the directory after.</summary>
    public static (string Directory, string CertificateFile, string KeyFile) WritePem(X509Certificate2 certificate)
    {
        var directory = Directory.CreateTempSubdirectory("platform-grpc-tls-").FullName;
        var certificateFile = Path.Combine(directory, "cert.pem");
        var keyFile = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (directory, certificateFile, keyFile);
    }
}
