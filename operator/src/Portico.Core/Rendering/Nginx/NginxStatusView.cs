namespace Portico.Core.Rendering.Nginx;

/// <summary>What portico-status.conf needs: where to listen and the hash of every other file.</summary>
public sealed record NginxStatusView(NginxSettingsView Settings, string ConfigHash);
