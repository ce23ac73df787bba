"""Bot texts of the payment plugin (uz, ru, en)."""
from __future__ import annotations

TRANSLATIONS = {
    "uz": {
        "payments.currency": "so'm",
        "payments.choose": "Buyurtma №{number}: to'lanadigan summa {remaining}.\nTo'lov usulini tanlang:",
        "payments.method.cash": "💵 Filialda naqd pul",
        "payments.method.card": "💳 Karta orqali o'tkazma",
        "payments.cash": "Buyurtma №{number} uchun {remaining} miqdorini filialda to'lang: {branch}.\n"
                         "To'lovni xodimlarimiz qayd etadi.",
        "payments.card": "Buyurtma №{number}: {remaining} miqdorini quyidagi kartaga o'tkazing:\n\n"
                         "{card}\n{holder}"
                         "\n\nSo'ng to'lov chekining rasmini (skrinshotini) shu yerga yuboring.",
        "payments.card_unavailable": "Bu filialda karta orqali to'lov mavjud emas. "
                                     "Iltimos, filialda to'lang.",
        "payments.send_receipt": "Iltimos, to'lov chekining rasmini yuboring yoki «Bekor qilish»ni bosing.",
        "payments.receipt_received": "Rahmat! Buyurtma №{number} uchun chek ({amount}) tekshiruvga "
                                     "yuborildi. "
                                     "Natijasini sizga xabar qilamiz.",
        "payments.receipt.unsupported_type": "Chekni rasm ko'rinishida yuboring (JPG, PNG yoki HEIC).",
        "payments.receipt.too_large": "Rasm juda katta. Eng ko'pi {limit} MB bo'lishi mumkin.",
        "payments.receipt.download_failed": "Rasmni yuklab bo'lmadi. Iltimos, qaytadan yuboring.",
        "payments.cancelled": "To'lov bekor qilindi. Keyinroq «Buyurtmalarim» bo'limidan "
                              "to'lashingiz mumkin.",
        "payments.not_found": "Bu buyurtma topilmadi.",
        "payments.nothing_to_pay": "Buyurtma №{number} to'liq to'langan.",
        "payments.unavailable": "Bu to'lov usuli hozir mavjud emas.",
        "payments.rejected": "Buyurtma №{number} uchun yuborgan chekingiz qabul qilinmadi.\nSabab: {reason}\n"
                             "Yangi chek yuboring yoki filialda to'lang.",
        "payments.button.cancel": "✖️ Bekor qilish",
        "payments.button.pay_again": "💳 Qayta to'lash",
        "payments.staff_receipt": "Buyurtma №{number} uchun chek: {amount}. Admin panelida tekshiring.",
        "payments.stale": "Bu tugma eskirgan.",
    },
    "ru": {
        "payments.currency": "сум",
        "payments.choose": "Заказ №{number}: к оплате {remaining}.\nВыберите способ оплаты:",
        "payments.method.cash": "💵 Наличными в филиале",
        "payments.method.card": "💳 Переводом на карту",
        "payments.cash": "Оплатите {remaining} за заказ №{number} в филиале: {branch}.\n"
                         "Сотрудники отметят оплату.",
        "payments.card": "Заказ №{number}: переведите {remaining} на карту:\n\n{card}\n{holder}"
                         "\n\nЗатем отправьте сюда фото (скриншот) чека.",
        "payments.card_unavailable": "В этом филиале оплата картой недоступна. "
                                     "Оплатите, пожалуйста, в филиале.",
        "payments.send_receipt": "Пожалуйста, отправьте фото чека или нажмите «Отмена».",
        "payments.receipt_received": "Спасибо! Чек по заказу №{number} ({amount}) отправлен на проверку. "
                                     "Мы сообщим вам результат.",
        "payments.receipt.unsupported_type": "Отправьте чек в виде изображения (JPG, PNG или HEIC).",
        "payments.receipt.too_large": "Изображение слишком большое. Максимум {limit} МБ.",
        "payments.receipt.download_failed": "Не удалось загрузить изображение. Отправьте его ещё раз.",
        "payments.cancelled": "Оплата отменена. Оплатить можно позже в разделе «Мои заказы».",
        "payments.not_found": "Заказ не найден.",
        "payments.nothing_to_pay": "Заказ №{number} полностью оплачен.",
        "payments.unavailable": "Этот способ оплаты сейчас недоступен.",
        "payments.rejected": "Чек по заказу №{number} не принят.\nПричина: {reason}\n"
                             "Отправьте новый чек или оплатите в филиале.",
        "payments.button.cancel": "✖️ Отмена",
        "payments.button.pay_again": "💳 Оплатить снова",
        "payments.staff_receipt": "Чек по заказу №{number}: {amount}. Проверьте в админ-панели.",
        "payments.stale": "Эта кнопка устарела.",
    },
    "en": {
        "payments.currency": "UZS",
        "payments.choose": "Order #{number}: {remaining} to pay.\nChoose how to pay:",
        "payments.method.cash": "💵 Cash at the branch",
        "payments.method.card": "💳 Card transfer",
        "payments.cash": "Please pay {remaining} for order #{number} at the branch: {branch}.\n"
                         "Our staff will record the payment.",
        "payments.card": "Order #{number}: transfer {remaining} to this card:\n\n{card}\n{holder}"
                         "\n\nThen send a photo (screenshot) of the receipt here.",
        "payments.card_unavailable": "Card transfers are not available at this branch. "
                                     "Please pay at the branch.",
        "payments.send_receipt": "Please send a photo of the receipt, or press Cancel.",
        "payments.receipt_received": "Thank you! Your receipt for order #{number} ({amount}) is waiting for "
                                     "verification. We will let you know.",
        "payments.receipt.unsupported_type": "Please send the receipt as an image (JPG, PNG or HEIC).",
        "payments.receipt.too_large": "This image is too large. The limit is {limit} MB.",
        "payments.receipt.download_failed": "The image could not be downloaded. Please send it again.",
        "payments.cancelled": "Payment cancelled. You can pay later from \"My orders\".",
        "payments.not_found": "This order was not found.",
        "payments.nothing_to_pay": "Order #{number} is paid in full.",
        "payments.unavailable": "This payment method is not available now.",
        "payments.rejected": "Your receipt for order #{number} was not accepted.\nReason: {reason}\n"
                             "Please send a new receipt or pay at the branch.",
        "payments.button.cancel": "✖️ Cancel",
        "payments.button.pay_again": "💳 Pay again",
        "payments.staff_receipt": "Receipt for order #{number}: {amount}. Please verify it in the admin.",
        "payments.stale": "This button is out of date.",
    },
}
