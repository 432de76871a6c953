"""What people read when something is refused: Indonesian first, English second."""

from __future__ import annotations

# code -> (Indonesian, English); {placeholders} come from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    # field problems (422)
    "required": ("Wajib diisi.", "Required."),
    "not_text": ("Harus berupa teks.", "Must be text."),
    "too_long": ("Terlalu panjang.", "Too long."),
    "control_chars": ("Mengandung karakter yang tidak diizinkan.", "Contains characters that are not allowed."),
    "invalid_unicode": (
        "Mengandung karakter yang tidak sah (bukan teks Unicode yang benar).",
        "Contains invalid characters (not proper Unicode text).",
    ),
    "phone_invalid": (
        "Nomor telepon tidak valid. Gunakan nomor Indonesia, mis. 0812xxxxxxx atau +62812xxxxxxx.",
        "Not a valid phone number. Use an Indonesian number, e.g. 0812xxxxxxx or +62812xxxxxxx.",
    ),
    "nip_invalid": (
        "NIP harus 18 angka (mis. 19850101 201001 1 001), diawali tanggal lahir.",
        "A NIP is 18 digits (e.g. 19850101 201001 1 001), starting with the birth date.",
    ),
    "unknown_service": ("Layanan tidak dikenal.", "Unknown service."),
    "category_invalid": (
        "Jenis harus pengaduan, pertanyaan atau konsultasi.",
        "Category must be pengaduan, pertanyaan or konsultasi.",
    ),
    "priority_class_invalid": ("Kelas prioritas tidak dikenal.", "Unknown priority class."),
    "not_boolean": ("Harus ya atau tidak.", "Must be true or false."),
    "not_object": ("Data harus berupa objek JSON.", "The body must be a JSON object."),
    "invalid": ("Tidak valid.", "Invalid."),
    "nothing_changed": ("Tidak ada yang berubah.", "Nothing changed."),
    # request-level errors
    "form_incomplete": (
        "Formulir belum lengkap atau ada isian yang salah.",
        "The form is incomplete or has invalid fields.",
    ),
    "bad_json": ("Permintaan bukan JSON yang valid.", "The request is not valid JSON."),
    "bad_request_id": (
        "request_id harus teks 1–100 karakter.",
        "request_id must be text of 1–100 characters.",
    ),
    "not_found": ("Tidak ditemukan.", "Not found."),
    "counter_not_found": ("Loket tidak ditemukan.", "No such counter."),
    "ticket_not_found": ("Tiket tidak ditemukan.", "No such ticket."),
    "rate_limited": (
        "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
        "Too many requests. Try again in a moment.",
    ),
    "login_required": ("Silakan masuk terlebih dahulu.", "Please log in first."),
    "login_failed": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "login_throttled": (
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.",
        "Too many failed logins. Try again in {minutes} minutes.",
    ),
    "kiosk_only": (
        "Nomor antrian hanya dapat diambil di kios atau di front office.",
        "A queue number can only be taken at the kiosk or at the front office.",
    ),
    "too_many_requests": (
        "Terlalu banyak permintaan dari perangkat ini. Coba lagi sebentar lagi.",
        "Too many requests from this device. Try again shortly.",
    ),
    "request_timeout": (
        "Permintaan terlalu lambat dikirim dan dihentikan. Coba lagi.",
        "The request was sent too slowly and was stopped. Try again.",
    ),
    "forbidden": ("Peran Anda tidak diizinkan melakukan ini.", "Your role is not allowed to do this."),
    "csrf": ("Token CSRF tidak ada atau salah. Muat ulang halaman.", "Missing or wrong CSRF token. Reload the page."),
    "counter_taken": (
        "Loket ini sedang dipakai oleh {officer}.",
        "This counter is in use by {officer}.",
    ),
    "counter_bound": (
        "Akun Anda terikat pada loket {counter_id}.",
        "Your account is bound to counter {counter_id}.",
    ),
    "method_not_allowed": ("Metode tidak diizinkan.", "Method not allowed."),
    "db_busy": (
        "Server sedang sibuk (basis data dipakai proses lain). Coba lagi sebentar lagi; tidak ada yang tersimpan.",
        "The server is busy (another process is using the database). Try again in a moment; nothing was saved.",
    ),
    "disk_full": (
        "Ruang penyimpanan server penuh; tidak ada yang tersimpan. Admin: kosongkan ruang disk server"
        " (hapus berkas lama, pindahkan cadangan/arsip), lalu coba lagi.",
        "The server's storage is full; nothing was saved. Admin: free space on the server's disk"
        " (delete old files, move backups/archives elsewhere), then try again.",
    ),
    "too_large": ("Permintaan terlalu besar.", "The request is too large."),
    "internal": ("Terjadi kesalahan pada server. Data Anda tidak berubah.", "Server error. Nothing was changed."),
    # queue rules (409)
    "invalid_transition": (
        "Tiket {label} berstatus {status}; tindakan ini tidak bisa dilakukan.",
        "Ticket {label} is {status}; this action is not possible.",
    ),
    "calls_exhausted": (
        "Tiket {label} sudah dipanggil {max_calls} kali. Lewati atau panggil berikutnya.",
        "Ticket {label} has been called {max_calls} times. Skip it or call the next one.",
    ),
    "calls_remaining": (
        "Tiket {label} baru dipanggil {calls} dari {max_calls} kali; lewati hanya setelah {max_calls} panggilan.",
        "Ticket {label} has had {calls} of {max_calls} calls; skip only after {max_calls} calls.",
    ),
    "counter_serving": (
        "Loket sedang melayani {label}. Selesaikan, eskalasi atau alihkan dulu.",
        "The counter is serving {label}. Resolve, escalate or transfer it first.",
    ),
    "counter_calling": (
        "Tiket {label} sedang dipanggil ({calls} dari {max_calls}). Panggil ulang, atau tunggu sampai {max_calls} panggilan.",
        "Ticket {label} is being called ({calls} of {max_calls}). Recall it, or wait for {max_calls} calls.",
    ),
    "no_ticket": ("Loket ini tidak sedang memanggil atau melayani tiket.", "This counter holds no ticket."),
    "no_printer": ("Tidak ada printer yang diatur untuk ini.", "No printer is configured for this."),
    "no_config_file": ("Tidak ada berkas konfigurasi.", "No configuration file."),
    "not_editable": (
        "Bagian ini tidak bisa diubah dari halaman admin.",
        "This part cannot be changed from the admin page.",
    ),
    "config_invalid": ("Pengaturan tidak valid: {detail}", "Invalid setting: {detail}"),
    "service_in_use": (
        "Layanan {service} masih punya antrian menunggu hari ini.",
        "Service {service} still has tickets waiting today.",
    ),
    "counter_in_use": ("Loket {counter_id} sedang memegang tiket.", "Counter {counter_id} holds a ticket."),
    "prefix_in_use": (
        "Awalan {prefix} sudah dipakai tiket layanan lain hari ini; nomor antrian akan kembar. Ubah besok.",
        "Prefix {prefix} is already on today's tickets of another service; ticket labels would collide."
        " Change it tomorrow.",
    ),
    "user_exists": ("Pengguna {username} sudah ada.", "User {username} exists."),
    "self_disable": ("Anda tidak bisa menonaktifkan akun sendiri.", "You cannot disable your own account."),
    "transfer_same_service": ("Tiket {label} sudah di layanan itu.", "Ticket {label} is already in that service."),
    "counter_wrong_service": ("Loket ini tidak melayani layanan itu.", "This counter does not serve that service."),
    # the office's rules (409)
    "office_closed": ("Layanan tutup.{opening}", "The service is closed.{opening}"),
    "quota_reached": (
        "Kuota hari ini untuk layanan {service} sudah habis ({quota} nomor). Silakan datang kembali pada hari"
        " layanan berikutnya.",
        "Today's quota for {service} is used up ({quota} numbers). Please come back on the next service day.",
    ),
    "ticket_not_waiting": (
        "Tiket {label} tidak sedang menunggu (berstatus {status}); hanya tiket yang menunggu dapat dipanggil.",
        "Ticket {label} is not waiting (it is {status}); only a waiting ticket can be called.",
    ),
    "service_not_at_counter": (
        "Loket ini tidak melayani layanan tiket {label} ({service}).",
        "This counter does not serve ticket {label}'s service ({service}).",
    ),
    "counter_paused": (
        "Loket ini sedang istirahat. Lanjutkan layanan dulu untuk memanggil.",
        "This counter is paused. Resume it first to call.",
    ),
}

STATUS_NAMES: dict[str, tuple[str, str]] = {
    "waiting": ("menunggu", "waiting"),
    "called": ("dipanggil", "called"),
    "serving": ("dilayani", "being served"),
    "resolved": ("selesai", "resolved"),
    "escalated": ("dieskalasi", "escalated"),
    "closed": ("ditutup", "closed"),
    "no_show": ("tidak hadir", "no show"),
    "cancelled": ("dibatalkan", "cancelled"),
    "expired": ("kedaluwarsa", "expired"),
}


class Localized:
    """A placeholder's value in both languages (a date: "Senin, 8 Desember 2026" / "Monday, 8 December 2026")."""

    def __init__(self, id_text: str, en_text: str):
        self.id_text = id_text
        self.en_text = en_text

    def __str__(self) -> str:
        return self.id_text


def message(code: str, lang: str = "id", **params: object) -> str:
    """The text for a message code in 'id' or 'en', with its placeholders filled."""
    pair = MESSAGES.get(code, MESSAGES["invalid"])
    text = pair[1] if lang == "en" else pair[0]
    if any(isinstance(v, Localized) for v in params.values()):
        params = {
            k: (v.en_text if lang == "en" else v.id_text) if isinstance(v, Localized) else v for k, v in params.items()
        }
    if "status" in params and isinstance(params["status"], str) and params["status"] in STATUS_NAMES:
        names = STATUS_NAMES[params["status"]]
        params = {**params, "status": names[1] if lang == "en" else names[0]}
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
