using System.Buffers.Binary;
using System.Text;

namespace Astro.Build.ElfVersionPatch;

/// <summary>The outcome of <see cref="ElfVersionPatcher.TryMarkWeak"/>.</summary>
internal enum ElfPatchOutcome
{
    /// <summary>The requirement was found and <c>VER_FLG_WEAK</c> was set on it.</summary>
    Patched = 1,

    /// <summary>The requirement was found and already carried <c>VER_FLG_WEAK</c>.</summary>
    AlreadyWeak = 2,

    /// <summary>The file does not require that version at all.</summary>
    NotReferenced = 3,
}

/// <summary>One <c>Vernaux</c> entry of <c>.gnu.version_r</c>: a version the file needs from a library.</summary>
/// <param name="File">The library (the <c>vn_file</c> of the owning <c>Verneed</c>), e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">The <c>vna_flags</c> value.</param>
/// <param name="FlagsOffset">The file offset of <c>vna_flags</c>.</param>
internal readonly record struct ElfVersionNeed(string File, string Version, ushort Flags, long FlagsOffset)
{
    /// <summary>Gets a value indicating whether <c>VER_FLG_WEAK</c> is set.</summary>
    public bool IsWeak => (Flags & ElfVersionPatcher.VerFlagWeak) != 0;
}

/// <summary>An ELF file that is not what the patcher can read (bad magic, not ELF64, not little-endian, truncated).</summary>
internal sealed class ElfFormatException : Exception
{
    public ElfFormatException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Reads the GNU symbol-versioning sections of an ELF64 little-endian shared object and marks one
/// version requirement weak (<c>VER_FLG_WEAK</c>), so the dynamic loader tolerates its absence.
/// </summary>
/// <remarks>
/// Layouts (from the System V gABI and the LSB's symbol-versioning chapter):
/// <c>Elf64_Shdr</c> 64 bytes; <c>Elf64_Verneed</c> {vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32};
/// <c>Elf64_Vernaux</c> {vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32};
/// <c>Elf64_Verdef</c> {vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32};
/// <c>Elf64_Verdaux</c> {vda_name u32, vda_next u32}. Sections are found by type (<c>SHT_GNU_verneed</c>,
/// <c>SHT_GNU_verdef</c>) and their string table by <c>sh_link</c> (normally <c>.dynstr</c>).
/// </remarks>
internal static class ElfVersionPatcher
{
    /// <summary><c>VER_FLG_WEAK</c>: a weak version reference; the loader only warns when it is missing.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const int EiClass = 4;
    private const int EiData = 5;
    private const int EiVersion = 6;
    private const byte ElfClass64 = 2;
    private const byte ElfData2Lsb = 1;
    private const int Elf64HeaderSize = 64;
    private const int EShOff = 0x28;
    private const int EShEntSize = 0x3A;
    private const int EShNum = 0x3C;
    private const int EShStrNdx = 0x3E;
    private const int SectionHeaderSize = 64;
    private const int ShName = 0;
    private const int ShType = 4;
    private const int ShOffset = 24;
    private const int ShSize = 32;
    private const int ShLink = 40;
    private const int ShInfo = 44;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort ShnXIndex = 0xffff;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;
    private const int VerdefSize = 20;
    private const int VerdauxSize = 8;

    private static ReadOnlySpan<byte> ElfMagic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>Returns true when <paramref name="data"/> starts with the ELF magic.</summary>
    public static bool HasElfMagic(ReadOnlySpan<byte> data) => data.Length >= 4 && data[..4].SequenceEqual(ElfMagic);

    /// <summary>Lists every version requirement (<c>Vernaux</c>) of the file, in file order.</summary>
    /// <exception cref="ElfFormatException">The file is not a well-formed ELF64 little-endian object.</exception>
    public static List<ElfVersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf)
    {
        var needs = new List<ElfVersionNeed>();
        List<Section> sections = ReadSections(elf);
        foreach (Section section in sections)
        {
            if (section.Type != ShtGnuVerneed)
            {
                continue;
            }

            Section strtab = SectionAt(elf, sections, section.Link);
            long entry = section.Offset;
            long end = section.Offset + section.Size;
            for (uint i = 0; i < section.Info; i++)
            {
                Require(entry >= section.Offset && entry + VerneedSize <= end, "Verneed entry outside .gnu.version_r");
                ushort count = ReadU16(elf, entry + 2);
                string file = ReadString(elf, strtab, ReadU32(elf, entry + 4));
                long aux = entry + ReadU32(elf, entry + 8);
                for (int j = 0; j < count; j++)
                {
                    Require(aux >= section.Offset && aux + VernauxSize <= end, "Vernaux entry outside .gnu.version_r");
                    ushort flags = ReadU16(elf, aux + 4);
                    string version = ReadString(elf, strtab, ReadU32(elf, aux + 8));
                    needs.Add(new ElfVersionNeed(file, version, flags, aux + 4));
                    uint nextAux = ReadU32(elf, aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux += nextAux;
                }

                uint next = ReadU32(elf, entry + 12);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return needs;
    }

    /// <summary>Lists every version the file defines (<c>Verdef</c>/<c>Verdaux</c> names), e.g. the GLIBCXX_* of libstdc++.</summary>
    /// <exception cref="ElfFormatException">The file is not a well-formed ELF64 little-endian object.</exception>
    public static List<string> ReadVersionDefinitions(ReadOnlySpan<byte> elf)
    {
        var names = new List<string>();
        List<Section> sections = ReadSections(elf);
        foreach (Section section in sections)
        {
            if (section.Type != ShtGnuVerdef)
            {
                continue;
            }

            Section strtab = SectionAt(elf, sections, section.Link);
            long entry = section.Offset;
            long end = section.Offset + section.Size;
            for (uint i = 0; i < section.Info; i++)
            {
                Require(entry >= section.Offset && entry + VerdefSize <= end, "Verdef entry outside .gnu.version_d");
                ushort count = ReadU16(elf, entry + 6);
                long aux = entry + ReadU32(elf, entry + 12);
                for (int j = 0; j < count; j++)
                {
                    Require(aux >= section.Offset && aux + VerdauxSize <= end, "Verdaux entry outside .gnu.version_d");
                    names.Add(ReadString(elf, strtab, ReadU32(elf, aux)));
                    uint nextAux = ReadU32(elf, aux + 4);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux += nextAux;
                }

                uint next = ReadU32(elf, entry + 16);
                if (next == 0)
                {
                    break;
                }

                entry += next;
            }
        }

        return names;
    }

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> on every requirement named <paramref name="version"/> in <paramref name="elf"/> (in place).
    /// </summary>
    /// <param name="elf">The whole file; modified only when the outcome is <see cref="ElfPatchOutcome.Patched"/>.</param>
    /// <param name="version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
    /// <param name="needs">The requirements with that name as they were before the call.</param>
    /// <exception cref="ElfFormatException">The file is not a well-formed ELF64 little-endian object.</exception>
    public static ElfPatchOutcome TryMarkWeak(Span<byte> elf, string version, out List<ElfVersionNeed> needs)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        needs = ReadVersionNeeds(elf).FindAll(n => n.Version == version);
        if (needs.Count == 0)
        {
            return ElfPatchOutcome.NotReferenced;
        }

        if (needs.TrueForAll(n => n.IsWeak))
        {
            return ElfPatchOutcome.AlreadyWeak;
        }

        foreach (ElfVersionNeed need in needs)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice(checked((int)need.FlagsOffset), 2), (ushort)(need.Flags | VerFlagWeak));
        }

        return ElfPatchOutcome.Patched;
    }

    private readonly record struct Section(uint Name, uint Type, long Offset, long Size, uint Link, uint Info);

    private static List<Section> ReadSections(ReadOnlySpan<byte> elf)
    {
        ValidateHeader(elf);
        long shoff = checked((long)ReadU64(elf, EShOff));
        ushort shentsize = ReadU16(elf, EShEntSize);
        long shnum = ReadU16(elf, EShNum);
        Require(shoff > 0, "the file has no section header table");
        Require(shentsize == SectionHeaderSize, $"unexpected section header size {shentsize}");
        if (shnum == 0)
        {
            // Extended numbering: the real count is sh_size of section 0.
            shnum = checked((long)ReadU64(elf, shoff + ShSize));
        }

        Require(shoff + (shnum * SectionHeaderSize) <= elf.Length, "section header table runs past the end of the file");
        var sections = new List<Section>((int)shnum);
        for (long i = 0; i < shnum; i++)
        {
            long at = shoff + (i * SectionHeaderSize);
            var section = new Section(
                ReadU32(elf, at + ShName),
                ReadU32(elf, at + ShType),
                checked((long)ReadU64(elf, at + ShOffset)),
                checked((long)ReadU64(elf, at + ShSize)),
                ReadU32(elf, at + ShLink),
                ReadU32(elf, at + ShInfo));
            if (section.Type == ShtGnuVerneed || section.Type == ShtGnuVerdef)
            {
                Require(section.Offset >= 0 && section.Size >= 0 && section.Offset + section.Size <= elf.Length, "a version section runs past the end of the file");
            }

            sections.Add(section);
        }

        return sections;
    }

    private static Section SectionAt(ReadOnlySpan<byte> elf, List<Section> sections, uint index)
    {
        Require(index > 0 && index < sections.Count && index != ShnXIndex, $"string table index {index} is out of range");
        Section section = sections[(int)index];
        Require(section.Offset >= 0 && section.Offset + section.Size <= elf.Length, "the string table runs past the end of the file");
        return section;
    }

    private static void ValidateHeader(ReadOnlySpan<byte> elf)
    {
        Require(elf.Length >= Elf64HeaderSize, "the file is shorter than an ELF64 header");
        Require(HasElfMagic(elf), "bad ELF magic");
        Require(elf[EiClass] == ElfClass64, $"not ELF64 (EI_CLASS = {elf[EiClass]})");
        Require(elf[EiData] == ElfData2Lsb, $"not little-endian (EI_DATA = {elf[EiData]})");
        Require(elf[EiVersion] == 1, $"unknown ELF version {elf[EiVersion]}");
    }

    private static string ReadString(ReadOnlySpan<byte> elf, Section strtab, uint offset)
    {
        Require(offset < strtab.Size, "a name lies outside its string table");
        ReadOnlySpan<byte> rest = elf.Slice((int)(strtab.Offset + offset), (int)(strtab.Size - offset));
        int nul = rest.IndexOf((byte)0);
        Require(nul >= 0, "an unterminated string in the string table");
        return Encoding.UTF8.GetString(rest[..nul]);
    }

    private static ushort ReadU16(ReadOnlySpan<byte> elf, long at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(elf, at, 2));

    private static uint ReadU32(ReadOnlySpan<byte> elf, long at) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(elf, at, 4));

    private static ulong ReadU64(ReadOnlySpan<byte> elf, long at) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(elf, at, 8));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, long at, int length)
    {
        Require(at >= 0 && at + length <= elf.Length, $"read of {length} bytes at offset {at} past the end of the file");
        return elf.Slice((int)at, length);
    }

    private static void Require(bool condition, string reason)
    {
        if (!condition)
        {
            throw new ElfFormatException(reason);
        }
    }
}
