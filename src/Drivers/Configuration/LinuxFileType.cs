namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>The file type bits of <c>st_mode</c> (<c>S_IFMT</c>), as <c>statx(2)</c> reports them.</summary>
internal enum LinuxFileType
{
    Unknown = 0,
    Fifo = 0x1000,
    CharacterDevice = 0x2000,
    Directory = 0x4000,
    BlockDevice = 0x6000,
    Regular = 0x8000,
    SymbolicLink = 0xA000,
    Socket = 0xC000,
}
