using System.Security.Cryptography;
using System.Text.Json;

namespace Platform.Tools.LocalRunner;

/// <summary>Secrets of a local run, made on first run and kept in the data folder (never in the repository), readable by the owner only.</summary>
public static class LocalSecrets
{
    public static string LoadOrCreate(string dataDirectory, string fileName)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, fileName);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Write(path, secret);
        return secret;
    }

    /// <summary>The demo clients' secrets by client id, as the directory gave them when it registered each (it keeps only their hashes).</summary>
    public static Dictionary<string, string> LoadClientSecrets(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "demo-clients.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [] : [];
    }

    public static void SaveClientSecrets(string dataDirectory, Dictionary<string, string> secrets) =>
        Write(Path.Combine(dataDirectory, "demo-clients.json"), JsonSerializer.Serialize(secrets));

    /// <summary>
    /// A trust's audit log signing key (Ed25519, in the note format the audit service reads) for its log under
    /// <paramref name="deployment"/>: made on first run and kept in the data folder, so that checkpoints signed in an
    /// earlier run still verify. A development key only: a deployment's keys come from its secret store.
    /// </summary>
    public static string LoadOrCreateAuditLogKey(string dataDirectory, string odsCode, string deployment)
    {
        var directory = Path.Combine(dataDirectory, "audit-keys");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{odsCode}.key");
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var key = Platform.Audit.Api.AuditApp.NewDevelopmentLogKey(deployment, odsCode);
        Write(path, key);
        return key;
    }

    private static void Write(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
