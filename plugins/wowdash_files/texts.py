"""Bot texts of the file-upload plugin (uz, ru, en) and the plural forms of the running count."""
from __future__ import annotations

TRANSLATIONS = {
    "uz": {
        "files.prompt": "Hujjatlaringizni (PDF, Word) yoki rasmlarni yuboring. Bir nechta fayl yuborishingiz "
                        "mumkin. Tugatgach, «Tayyor» tugmasini bosing.",
        "files.received": "Qabul qilindi: {name} ({pages}).\nJami: {summary}.",
        "files.summary": "{files}, {pages}",
        "files.n_files.one": "{n} ta fayl",
        "files.n_files.few": "{n} ta fayl",
        "files.n_files.many": "{n} ta fayl",
        "files.n_pages.one": "{n} sahifa",
        "files.n_pages.few": "{n} sahifa",
        "files.n_pages.many": "{n} sahifa",
        "files.already": "Avval yuborilgan fayllar: {summary}.",
        "files.send_file": "Iltimos, hujjat yoki rasm yuboring, yoki «Tayyor» tugmasini bosing.",
        "files.none_yet": "Hali birorta fayl yubormadingiz. Iltimos, kamida bitta fayl yuboring.",
        "files.too_many": "Bitta buyurtma uchun ko'pi bilan {max} ta fayl yuborish mumkin.",
        "files.rejected.unsupported_type": "Bu turdagi fayl qabul qilinmaydi. Iltimos, quyidagilardan birini "
                                           "yuboring: {kinds}.",
        "files.rejected.too_large": "Fayl juda katta. Eng ko'pi {limit} MB bo'lishi mumkin.",
        "files.rejected.corrupt": "Faylni ochib bo'lmadi: u shikastlangan yoki parol bilan himoyalangan. "
                                  "Iltimos, boshqa nusxasini yuboring.",
        "files.rejected.empty": "Fayl bo'sh. Iltimos, qaytadan yuboring.",
        "files.rejected.download_failed": "Faylni yuklab bo'lmadi. Iltimos, qaytadan yuboring.",
        "files.remove_choose": "Qaysi faylni o'chiramiz?",
        "files.removed": "O'chirildi: {name}.\nJami: {summary}.",
        "files.nothing": "fayl yo'q",
        "files.button.done": "✅ Tayyor",
        "files.button.remove": "🗑 Faylni o'chirish",
        "files.button.back": "⬅️ Orqaga",
        "files.button.cancel": "✖️ Bekor qilish",
        "files.button.keep": "⬅️ Fayllarga qaytish",
        "files.stale": "Bu tugma eskirgan.",
    },
    "ru": {
        "files.prompt": "Отправьте документы (PDF, Word) или фотографии. Можно несколько файлов. "
                        "Когда закончите, нажмите «Готово».",
        "files.received": "Получено: {name} ({pages}).\nВсего: {summary}.",
        "files.summary": "{files}, {pages}",
        "files.n_files.one": "{n} файл",
        "files.n_files.few": "{n} файла",
        "files.n_files.many": "{n} файлов",
        "files.n_pages.one": "{n} страница",
        "files.n_pages.few": "{n} страницы",
        "files.n_pages.many": "{n} страниц",
        "files.already": "Уже отправлено: {summary}.",
        "files.send_file": "Пожалуйста, отправьте документ или фотографию, или нажмите «Готово».",
        "files.none_yet": "Вы ещё не отправили ни одного файла. Отправьте хотя бы один.",
        "files.too_many": "Для одного заказа можно отправить не более {max} файлов.",
        "files.rejected.unsupported_type": "Этот тип файла не принимается. Отправьте, пожалуйста, один из: "
                                           "{kinds}.",
        "files.rejected.too_large": "Файл слишком большой. Максимум {limit} МБ.",
        "files.rejected.corrupt": "Не удалось открыть файл: он повреждён или защищён паролем. "
                                  "Отправьте, пожалуйста, другую копию.",
        "files.rejected.empty": "Файл пустой. Отправьте его ещё раз.",
        "files.rejected.download_failed": "Не удалось загрузить файл. Отправьте его ещё раз.",
        "files.remove_choose": "Какой файл удалить?",
        "files.removed": "Удалено: {name}.\nВсего: {summary}.",
        "files.nothing": "нет файлов",
        "files.button.done": "✅ Готово",
        "files.button.remove": "🗑 Удалить файл",
        "files.button.back": "⬅️ Назад",
        "files.button.cancel": "✖️ Отмена",
        "files.button.keep": "⬅️ К файлам",
        "files.stale": "Эта кнопка устарела.",
    },
    "en": {
        "files.prompt": "Send your documents (PDF, Word) or photos. You can send several files. "
                        "Press Done when you have finished.",
        "files.received": "Received: {name} ({pages}).\nSo far: {summary}.",
        "files.summary": "{files}, {pages}",
        "files.n_files.one": "{n} file",
        "files.n_files.few": "{n} files",
        "files.n_files.many": "{n} files",
        "files.n_pages.one": "{n} page",
        "files.n_pages.few": "{n} pages",
        "files.n_pages.many": "{n} pages",
        "files.already": "Already sent: {summary}.",
        "files.send_file": "Please send a document or a photo, or press Done.",
        "files.none_yet": "You have not sent any file yet. Please send at least one.",
        "files.too_many": "You can send at most {max} files for one order.",
        "files.rejected.unsupported_type": "This type of file is not accepted. Please send one of: {kinds}.",
        "files.rejected.too_large": "This file is too large. The limit is {limit} MB.",
        "files.rejected.corrupt": "This file could not be opened: it is damaged or password-protected. "
                                  "Please send another copy.",
        "files.rejected.empty": "This file is empty. Please send it again.",
        "files.rejected.download_failed": "The file could not be downloaded. Please send it again.",
        "files.remove_choose": "Which file should be removed?",
        "files.removed": "Removed: {name}.\nSo far: {summary}.",
        "files.nothing": "no files",
        "files.button.done": "✅ Done",
        "files.button.remove": "🗑 Remove a file",
        "files.button.back": "⬅️ Back",
        "files.button.cancel": "✖️ Cancel",
        "files.button.keep": "⬅️ Back to files",
        "files.stale": "This button is out of date.",
    },
}


def plural_form(language: str, n: int) -> str:
    """CLDR-style category for ``n``: Russian has one/few/many; English one/many; Uzbek one form."""
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "many"
