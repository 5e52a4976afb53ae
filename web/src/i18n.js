// i18n.js: the console's words in English, Urdu and Persian. Urdu and Persian are written
// right to left: setLang() sets <html lang dir>, and the layout uses logical CSS properties
// so that it mirrors. Elements made with a `data-i18n` key are relabelled in place when the
// language changes; views re-render what they build from records (onLang).
const en = {
  'app.title': 'sarhad console', 'login.title': 'Sign in', 'login.token': 'API token',
  'login.help': 'Paste the API token that sarhad init or sarhad user add printed. It is kept for this browser tab only.',
  'login.submit': 'Sign in', 'login.bad': 'The node did not accept this token.',
  'top.node': 'Node', 'top.lang': 'Language', 'top.logout': 'Sign out',
  'stream.live': 'Live', 'stream.connecting': 'Connecting…', 'stream.down': 'Node unreachable, reconnecting…',
  'link.ok': 'Link up', 'link.down': 'LINK DOWN', 'link.none': 'No partner linked', 'link.queued': 'queued',
  'nav.views': 'Views', 'view.map': 'Map', 'view.hotline': 'Hotline', 'view.patrols': 'Patrols', 'view.links': 'Links',
  'flash.title': 'FLASH', 'flash.open': 'Open hotline', 'flash.dismiss': 'Dismiss',
  'overdue.banner': 'Overdue: no acknowledgement within the handling target',
  'map.legend': 'Legend', 'map.details': 'Details', 'map.events': 'Recent events', 'map.newEvent': 'Report an event',
  'map.pick': 'Click the map to set the position.', 'map.history': 'History (seen by this console)',
  'map.noSelection': 'Select a section, event, unit or patrol on the map or in the list.',
  'map.own': 'own unit', 'map.partner': 'partner unit', 'map.stale': 'stale', 'map.gap': 'coverage gap', 'map.patrol': 'patrol',
  'map.pillar': 'pillar', 'map.crossing': 'crossing', 'map.sector': 'sector',
  'f.category': 'Category', 'f.impact': 'Impact', 'f.lat': 'Latitude', 'f.lon': 'Longitude', 'f.title': 'Title',
  'f.description': 'Description', 'f.release': 'Release to partner', 'f.submit': 'Submit', 'f.send': 'Send',
  'f.precedence': 'Precedence', 'f.subject': 'Subject', 'f.body': 'Text', 'f.template': 'Template',
  'f.freeText': 'Free text', 'f.mode': 'Form', 'f.ackRequired': 'Acknowledgement required', 'f.remark': 'Remark',
  'f.units': 'Units (comma separated)', 'f.fromKm': 'From km', 'f.toKm': 'To km', 'f.start': 'Start (UTC)', 'f.end': 'End (UTC)',
  'f.kind': 'Kind', 'f.from': 'From (UTC)', 'f.to': 'To (UTC)', 'f.objective': 'Objective', 'f.shiftHours': 'Shift hours',
  'f.maxShifts': 'Max shifts', 'f.minRest': 'Min rest hours', 'f.reachKm': 'Reach km', 'f.refresh': 'Refresh',
  'hot.channels': 'Channels', 'hot.messages': 'Messages', 'hot.compose': 'Compose', 'hot.none': 'No messages on this channel.',
  'hot.delivered': 'Delivered', 'hot.acked': 'Acknowledged', 'hot.overdue': 'OVERDUE', 'hot.escalated': 'Escalated to',
  'hot.missing': 'Missing serials', 'hot.from': 'From', 'hot.deadline': 'Deadline', 'hot.state': 'State',
  'hot.sent': 'Sent', 'hot.noChannel': 'No channel yet: an admin creates one (POST /api/v1/channels), or pin a peer.',
  'hot.proposed': 'proposed by the partner: create it here to use it',
  'pat.title': 'Patrol board', 'pat.timeline': 'Coverage by section', 'pat.own': 'own', 'pat.partner': 'partner',
  'pat.both': 'both', 'pat.gapCell': 'gap', 'pat.gaps': 'Coverage gaps', 'pat.list': 'Patrols', 'pat.add': 'Plan a patrol',
  'pat.plan': 'Planner', 'pat.propose': 'Propose', 'pat.accept': 'Accept', 'pat.discard': 'Discard',
  'pat.unavailable': 'This node has no patrol service yet.', 'pat.noGaps': 'No gaps in this window.',
  'pat.none': 'No patrols in this window.', 'pat.section': 'Section',
  'lnk.title': 'Federation links', 'lnk.peer': 'Peer', 'lnk.state': 'State', 'lnk.since': 'Since', 'lnk.rtt': 'RTT',
  'lnk.inflight': 'In flight', 'lnk.sent': 'Sent', 'lnk.acked': 'Acknowledged', 'lnk.received': 'Received',
  'lnk.heartbeat': 'Last heartbeat', 'lnk.error': 'Last error', 'lnk.test': 'Test now', 'lnk.lastTest': 'Last link test',
  'lnk.queue': 'Waiting for the partner (not yet delivered)', 'lnk.rejections': 'Recent refusals', 'lnk.none': 'No pinned peer.',
  'lnk.downBanner': 'The link is down. What is listed below is kept and will be delivered when it returns.',
  'view.fence': 'Fence', 'map.noEvents': 'No events yet.', 'map.pillarsZoom': 'pillars: zoom in to see them', 'map.gapLegend': 'coverage gap (MEDIUM impact and up)', 'map.point': 'Point on the map', 'pat.pairing': 'Paired with',
  'pat.busyOnly': 'Only sections with patrols or HIGH/CRITICAL', 'pat.adherence': 'Adherence flags',
  'pat.stretch': 'Stretch', 'pat.when': 'When (UTC)', 'pat.minutes': 'Length', 'pat.score': 'Score', 'pat.overlap': 'overlap',
  'pat.unitsWithheld': 'units not released', 'pat.national': 'national', 'pat.cancel': 'Cancel patrol',
  'pat.confirmCancel': 'Confirm: cancel', 'pat.noFlags': 'No flags: own patrols are on their stretches.',
  'pat.created': 'Patrol planned:', 'pat.planHelp': 'The planner covers the board window; km limits are optional.',
  'pat.planning': 'Planning…', 'pat.value': 'value', 'pat.bound': 'bound', 'pat.exact': 'optimal', 'pat.paired': 'paired',
  'pat.open': 'open', 'pat.noProposal': 'No proposal: nothing left to cover with these units.', 'pat.acceptAll': 'Accept all',
  'notice.NOTIFIED': 'the partner was sent an activity notice', 'notice.NATIONAL': 'national: the partner was not told',
  'notice.SHARED': 'shared with the partner', 'notice.NO_PARTNER': 'no partner link to notify',
  'f.depthKm': 'Depth from the line (km)', 'f.national': 'National (not shared with the partner)', 'f.minKm': 'From km (optional)', 'f.maxKm': 'To km (optional)',
  'fence.title': 'Fence', 'fence.unavailable': 'This node has no fence service yet.', 'fence.progress': 'Progress by sector',
  'fence.complete': 'complete', 'fence.under_construction': 'under construction', 'fence.planned': 'planned', 'fence.damaged': 'damaged',
  'fence.none': 'not started', 'fence.history': 'History', 'fence.alarms': 'Fence alarms', 'fence.ownSide': 'own side',
  'fence.share': 'complete %', 'fence.total': 'total', 'fence.noHistory': 'no fence changes yet', 'fence.noAlarms': 'No fence alarms.',
  'fence.sensor': 'sensor', 'alarm.title': 'FENCE ALARM', 'alarm.show': 'Show on map', 'alarm.open': 'open fence alarms',
  'err.generic': 'Error',
};

const ur = {
  'app.title': 'سرحد کنسول', 'login.title': 'داخل ہوں', 'login.token': 'API ٹوکن',
  'login.help': 'sarhad init یا sarhad user add کا دیا ہوا API ٹوکن یہاں لگائیں۔ یہ صرف اسی ٹیب میں رکھا جاتا ہے۔',
  'login.submit': 'داخل ہوں', 'login.bad': 'نوڈ نے یہ ٹوکن قبول نہیں کیا۔',
  'top.node': 'نوڈ', 'top.lang': 'زبان', 'top.logout': 'باہر نکلیں',
  'stream.live': 'براہ راست', 'stream.connecting': 'رابطہ ہو رہا ہے…', 'stream.down': 'نوڈ سے رابطہ نہیں، دوبارہ کوشش…',
  'link.ok': 'لنک بحال', 'link.down': 'لنک منقطع', 'link.none': 'کوئی شراکت دار منسلک نہیں', 'link.queued': 'قطار میں',
  'nav.views': 'منظر', 'view.map': 'نقشہ', 'view.hotline': 'ہاٹ لائن', 'view.patrols': 'گشت', 'view.links': 'روابط',
  'flash.title': 'فلیش', 'flash.open': 'ہاٹ لائن کھولیں', 'flash.dismiss': 'بند کریں',
  'overdue.banner': 'تاخیر: مقررہ وقت میں تصدیق نہیں ملی',
  'map.legend': 'علامات', 'map.details': 'تفصیل', 'map.events': 'حالیہ واقعات', 'map.newEvent': 'واقعے کی اطلاع',
  'map.pick': 'مقام چننے کے لیے نقشے پر کلک کریں۔', 'map.history': 'تاریخچہ (اس کنسول نے دیکھا)',
  'map.noSelection': 'نقشے یا فہرست میں کوئی حصہ، واقعہ، یونٹ یا گشت چنیں۔',
  'map.own': 'اپنا یونٹ', 'map.partner': 'شراکت دار یونٹ', 'map.stale': 'پرانا', 'map.gap': 'نگرانی کا خلا', 'map.patrol': 'گشت',
  'map.pillar': 'ستون', 'map.crossing': 'گزرگاہ', 'map.sector': 'سیکٹر',
  'f.category': 'قسم', 'f.impact': 'اثر', 'f.lat': 'عرض بلد', 'f.lon': 'طول بلد', 'f.title': 'عنوان',
  'f.description': 'تفصیل', 'f.release': 'شراکت دار کو جاری کریں', 'f.submit': 'جمع کریں', 'f.send': 'بھیجیں',
  'f.precedence': 'ترجیح', 'f.subject': 'موضوع', 'f.body': 'متن', 'f.template': 'سانچہ',
  'f.freeText': 'آزاد متن', 'f.mode': 'صورت', 'f.ackRequired': 'تصدیق درکار', 'f.remark': 'تبصرہ',
  'f.units': 'یونٹ (کوما سے الگ)', 'f.fromKm': 'کلومیٹر سے', 'f.toKm': 'کلومیٹر تک', 'f.start': 'آغاز (UTC)', 'f.end': 'اختتام (UTC)',
  'f.kind': 'نوعیت', 'f.from': 'سے (UTC)', 'f.to': 'تک (UTC)', 'f.objective': 'مقصد', 'f.shiftHours': 'شفٹ کے گھنٹے',
  'f.maxShifts': 'زیادہ سے زیادہ شفٹیں', 'f.minRest': 'کم از کم آرام', 'f.reachKm': 'رسائی کلومیٹر', 'f.refresh': 'تازہ کریں',
  'hot.channels': 'چینل', 'hot.messages': 'پیغامات', 'hot.compose': 'پیغام لکھیں', 'hot.none': 'اس چینل پر کوئی پیغام نہیں۔',
  'hot.delivered': 'موصول ہوا', 'hot.acked': 'تصدیق شدہ', 'hot.overdue': 'تاخیر', 'hot.escalated': 'اطلاع دی گئی',
  'hot.missing': 'غائب نمبر', 'hot.from': 'از', 'hot.deadline': 'آخری وقت', 'hot.state': 'حالت',
  'hot.sent': 'بھیجا گیا', 'hot.noChannel': 'ابھی کوئی چینل نہیں۔', 'hot.proposed': 'شراکت دار کی تجویز',
  'pat.title': 'گشت بورڈ', 'pat.timeline': 'حصہ وار نگرانی', 'pat.own': 'اپنا', 'pat.partner': 'شراکت دار',
  'pat.both': 'دونوں', 'pat.gapCell': 'خلا', 'pat.gaps': 'نگرانی کے خلا', 'pat.list': 'گشت', 'pat.add': 'گشت کا منصوبہ',
  'pat.plan': 'منصوبہ ساز', 'pat.propose': 'تجویز', 'pat.accept': 'قبول', 'pat.discard': 'رد',
  'pat.unavailable': 'اس نوڈ پر ابھی گشت کی سہولت نہیں۔', 'pat.noGaps': 'اس دورانیے میں کوئی خلا نہیں۔',
  'pat.none': 'اس دورانیے میں کوئی گشت نہیں۔', 'pat.section': 'حصہ',
  'lnk.title': 'وفاقی روابط', 'lnk.peer': 'شراکت دار', 'lnk.state': 'حالت', 'lnk.since': 'کب سے', 'lnk.rtt': 'RTT',
  'lnk.inflight': 'راستے میں', 'lnk.sent': 'بھیجے', 'lnk.acked': 'تصدیق شدہ', 'lnk.received': 'موصول',
  'lnk.heartbeat': 'آخری دھڑکن', 'lnk.error': 'آخری خرابی', 'lnk.test': 'ابھی جانچیں', 'lnk.lastTest': 'آخری جانچ',
  'lnk.queue': 'شراکت دار کے منتظر', 'lnk.rejections': 'حالیہ انکار', 'lnk.none': 'کوئی شراکت دار نہیں۔',
  'lnk.downBanner': 'لنک منقطع ہے۔ نیچے دی گئی چیزیں محفوظ ہیں اور بحالی پر پہنچا دی جائیں گی۔',
  'view.fence': 'باڑ', 'map.noEvents': 'ابھی کوئی واقعہ نہیں۔', 'map.pillarsZoom': 'ستون: دیکھنے کے لیے قریب کریں', 'map.gapLegend': 'نگرانی کا خلا (MEDIUM اور اوپر)', 'map.point': 'نقشے پر مقام', 'pat.pairing': 'جوڑی',
  'pat.busyOnly': 'صرف گشت والے یا HIGH/CRITICAL حصے', 'pat.adherence': 'پابندی کے اشارے',
  'pat.stretch': 'پٹی', 'pat.when': 'کب (UTC)', 'pat.minutes': 'دورانیہ', 'pat.score': 'اسکور', 'pat.overlap': 'مشترک',
  'pat.unitsWithheld': 'یونٹ ظاہر نہیں کیے گئے', 'pat.national': 'قومی', 'pat.cancel': 'گشت منسوخ کریں',
  'pat.confirmCancel': 'تصدیق: منسوخ', 'pat.noFlags': 'کوئی اشارہ نہیں: اپنے گشت اپنی پٹی پر ہیں۔',
  'pat.created': 'گشت طے ہوا:', 'pat.planHelp': 'منصوبہ ساز بورڈ کے دورانیے کا احاطہ کرتا ہے؛ کلومیٹر کی حد اختیاری ہے۔',
  'pat.planning': 'منصوبہ بن رہا ہے…', 'pat.value': 'قدر', 'pat.bound': 'حد', 'pat.exact': 'بہترین', 'pat.paired': 'جوڑے',
  'pat.open': 'باقی', 'pat.noProposal': 'کوئی تجویز نہیں۔', 'pat.acceptAll': 'سب قبول',
  'notice.NOTIFIED': 'شراکت دار کو اطلاع بھیجی گئی', 'notice.NATIONAL': 'قومی: شراکت دار کو نہیں بتایا گیا',
  'notice.SHARED': 'شراکت دار کے ساتھ شیئر', 'notice.NO_PARTNER': 'اطلاع کے لیے کوئی شراکت دار نہیں',
  'f.depthKm': 'لائن سے فاصلہ (کلومیٹر)', 'f.national': 'قومی (شراکت دار سے شیئر نہیں)', 'f.minKm': 'از کلومیٹر (اختیاری)', 'f.maxKm': 'تا کلومیٹر (اختیاری)',
  'fence.title': 'باڑ', 'fence.unavailable': 'اس نوڈ پر ابھی باڑ کی سہولت نہیں۔', 'fence.progress': 'سیکٹر وار پیش رفت',
  'fence.complete': 'مکمل', 'fence.under_construction': 'زیر تعمیر', 'fence.planned': 'منصوبہ بند', 'fence.damaged': 'خراب',
  'fence.none': 'شروع نہیں', 'fence.history': 'تاریخ', 'fence.alarms': 'باڑ کے الارم', 'fence.ownSide': 'اپنی طرف',
  'fence.share': 'مکمل %', 'fence.total': 'کل', 'fence.noHistory': 'ابھی کوئی تبدیلی نہیں', 'fence.noAlarms': 'باڑ کا کوئی الارم نہیں۔',
  'fence.sensor': 'سینسر', 'alarm.title': 'باڑ الارم', 'alarm.show': 'نقشے پر دکھائیں', 'alarm.open': 'کھلے باڑ الارم',
  'err.generic': 'خرابی',
};

const fa = {
  'app.title': 'کنسول سرحد', 'login.title': 'ورود', 'login.token': 'توکن API',
  'login.help': 'توکن API را که sarhad init یا sarhad user add چاپ کرد اینجا بگذارید. فقط در همین زبانه نگه داشته می‌شود.',
  'login.submit': 'ورود', 'login.bad': 'گره این توکن را نپذیرفت.',
  'top.node': 'گره', 'top.lang': 'زبان', 'top.logout': 'خروج',
  'stream.live': 'زنده', 'stream.connecting': 'در حال اتصال…', 'stream.down': 'گره در دسترس نیست، تلاش دوباره…',
  'link.ok': 'پیوند برقرار', 'link.down': 'پیوند قطع', 'link.none': 'شریکی پیوند نشده', 'link.queued': 'در صف',
  'nav.views': 'نماها', 'view.map': 'نقشه', 'view.hotline': 'خط ویژه', 'view.patrols': 'گشت‌ها', 'view.links': 'پیوندها',
  'flash.title': 'فوری', 'flash.open': 'باز کردن خط ویژه', 'flash.dismiss': 'بستن',
  'overdue.banner': 'دیرکرد: تأیید در مهلت مقرر نرسید',
  'map.legend': 'راهنما', 'map.details': 'جزئیات', 'map.events': 'رویدادهای اخیر', 'map.newEvent': 'گزارش رویداد',
  'map.pick': 'برای تعیین موقعیت روی نقشه کلیک کنید.', 'map.history': 'سابقه (دیده‌شده در این کنسول)',
  'map.noSelection': 'یک بخش، رویداد، یگان یا گشت را روی نقشه یا در فهرست انتخاب کنید.',
  'map.own': 'یگان خودی', 'map.partner': 'یگان شریک', 'map.stale': 'کهنه', 'map.gap': 'شکاف پوشش', 'map.patrol': 'گشت',
  'map.pillar': 'ستون مرزی', 'map.crossing': 'گذرگاه', 'map.sector': 'بخش',
  'f.category': 'دسته', 'f.impact': 'اثر', 'f.lat': 'عرض جغرافیایی', 'f.lon': 'طول جغرافیایی', 'f.title': 'عنوان',
  'f.description': 'شرح', 'f.release': 'انتشار برای شریک', 'f.submit': 'ثبت', 'f.send': 'ارسال',
  'f.precedence': 'اولویت', 'f.subject': 'موضوع', 'f.body': 'متن', 'f.template': 'الگو',
  'f.freeText': 'متن آزاد', 'f.mode': 'شکل', 'f.ackRequired': 'تأیید لازم است', 'f.remark': 'توضیح',
  'f.units': 'یگان‌ها (با ویرگول)', 'f.fromKm': 'از کیلومتر', 'f.toKm': 'تا کیلومتر', 'f.start': 'آغاز (UTC)', 'f.end': 'پایان (UTC)',
  'f.kind': 'نوع', 'f.from': 'از (UTC)', 'f.to': 'تا (UTC)', 'f.objective': 'هدف', 'f.shiftHours': 'ساعت نوبت',
  'f.maxShifts': 'بیشینه نوبت', 'f.minRest': 'کمینه استراحت', 'f.reachKm': 'برد کیلومتر', 'f.refresh': 'تازه‌سازی',
  'hot.channels': 'کانال‌ها', 'hot.messages': 'پیام‌ها', 'hot.compose': 'نوشتن پیام', 'hot.none': 'پیامی در این کانال نیست.',
  'hot.delivered': 'تحویل شد', 'hot.acked': 'تأیید شد', 'hot.overdue': 'دیرکرد', 'hot.escalated': 'ارجاع به',
  'hot.missing': 'شماره‌های گم‌شده', 'hot.from': 'از', 'hot.deadline': 'مهلت', 'hot.state': 'وضعیت',
  'hot.sent': 'ارسال شد', 'hot.noChannel': 'هنوز کانالی نیست.', 'hot.proposed': 'پیشنهاد شریک',
  'pat.title': 'تابلوی گشت', 'pat.timeline': 'پوشش به تفکیک بخش', 'pat.own': 'خودی', 'pat.partner': 'شریک',
  'pat.both': 'هر دو', 'pat.gapCell': 'شکاف', 'pat.gaps': 'شکاف‌های پوشش', 'pat.list': 'گشت‌ها', 'pat.add': 'برنامه گشت',
  'pat.plan': 'برنامه‌ریز', 'pat.propose': 'پیشنهاد', 'pat.accept': 'پذیرش', 'pat.discard': 'کنار گذاشتن',
  'pat.unavailable': 'این گره هنوز خدمت گشت ندارد.', 'pat.noGaps': 'در این بازه شکافی نیست.',
  'pat.none': 'در این بازه گشتی نیست.', 'pat.section': 'بخش',
  'lnk.title': 'پیوندهای فدراسیون', 'lnk.peer': 'شریک', 'lnk.state': 'وضعیت', 'lnk.since': 'از', 'lnk.rtt': 'RTT',
  'lnk.inflight': 'در راه', 'lnk.sent': 'ارسال‌شده', 'lnk.acked': 'تأییدشده', 'lnk.received': 'دریافتی',
  'lnk.heartbeat': 'آخرین ضربان', 'lnk.error': 'آخرین خطا', 'lnk.test': 'آزمون اکنون', 'lnk.lastTest': 'آخرین آزمون پیوند',
  'lnk.queue': 'در انتظار شریک (هنوز تحویل نشده)', 'lnk.rejections': 'ردهای اخیر', 'lnk.none': 'شریکی سنجاق نشده.',
  'lnk.downBanner': 'پیوند قطع است. موارد زیر نگه داشته می‌شوند و پس از برقراری تحویل می‌شوند.',
  'view.fence': 'حصار', 'map.noEvents': 'هنوز رویدادی نیست.', 'map.pillarsZoom': 'ستون‌های مرزی: برای دیدن بزرگ‌نمایی کنید', 'map.gapLegend': 'شکاف پوشش (MEDIUM و بالاتر)', 'map.point': 'نقطه روی نقشه', 'pat.pairing': 'جفت با',
  'pat.busyOnly': 'فقط بخش‌های دارای گشت یا HIGH/CRITICAL', 'pat.adherence': 'هشدارهای پایبندی',
  'pat.stretch': 'محدوده', 'pat.when': 'زمان (UTC)', 'pat.minutes': 'مدت', 'pat.score': 'امتیاز', 'pat.overlap': 'همپوشانی',
  'pat.unitsWithheld': 'یگان‌ها منتشر نشده', 'pat.national': 'ملی', 'pat.cancel': 'لغو گشت',
  'pat.confirmCancel': 'تأیید: لغو', 'pat.noFlags': 'هشداری نیست: گشت‌های خودی در محدوده خود هستند.',
  'pat.created': 'گشت ثبت شد:', 'pat.planHelp': 'برنامه‌ریز بازه تابلو را پوشش می‌دهد؛ حدود کیلومتر اختیاری است.',
  'pat.planning': 'در حال برنامه‌ریزی…', 'pat.value': 'ارزش', 'pat.bound': 'کران', 'pat.exact': 'بهینه', 'pat.paired': 'جفت',
  'pat.open': 'باز', 'pat.noProposal': 'پیشنهادی نیست.', 'pat.acceptAll': 'پذیرش همه',
  'notice.NOTIFIED': 'به شریک اطلاعیه فعالیت ارسال شد', 'notice.NATIONAL': 'ملی: به شریک گفته نشد',
  'notice.SHARED': 'با شریک به اشتراک گذاشته شد', 'notice.NO_PARTNER': 'شریکی برای اطلاع نیست',
  'f.depthKm': 'فاصله از خط (کیلومتر)', 'f.national': 'ملی (بدون اشتراک با شریک)', 'f.minKm': 'از کیلومتر (اختیاری)', 'f.maxKm': 'تا کیلومتر (اختیاری)',
  'fence.title': 'حصار', 'fence.unavailable': 'این گره هنوز خدمت حصار ندارد.', 'fence.progress': 'پیشرفت به تفکیک بخش',
  'fence.complete': 'کامل', 'fence.under_construction': 'در دست ساخت', 'fence.planned': 'برنامه‌ریزی‌شده', 'fence.damaged': 'آسیب‌دیده',
  'fence.none': 'آغاز نشده', 'fence.history': 'سابقه', 'fence.alarms': 'هشدارهای حصار', 'fence.ownSide': 'سوی خودی',
  'fence.share': 'درصد کامل', 'fence.total': 'کل', 'fence.noHistory': 'هنوز تغییری نیست', 'fence.noAlarms': 'هشدار حصاری نیست.',
  'fence.sensor': 'حسگر', 'alarm.title': 'هشدار حصار', 'alarm.show': 'نمایش روی نقشه', 'alarm.open': 'هشدارهای باز حصار',
  'err.generic': 'خطا',
};

const dicts = { en, ur, fa };
export const LANGS = [
  { code: 'en', name: 'English', rtl: false },
  { code: 'ur', name: 'اردو', rtl: true },
  { code: 'fa', name: 'فارسی', rtl: true },
];

let lang = localStorage.getItem('sarhad.lang') || 'en';
if (!dicts[lang]) lang = 'en';
const listeners = new Set();

export function t(key) {
  return (dicts[lang] && dicts[lang][key]) || en[key] || key;
}
export function currentLang() { return lang; }

// Labels of the templates' own texts ({en, ur, fa} objects from the node).
export function pick(text) {
  return text && typeof text === 'object' ? text[lang] || text.en : text;
}

export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

export function setLang(code) {
  if (!dicts[code]) return;
  lang = code;
  localStorage.setItem('sarhad.lang', code);
  const html = document.documentElement;
  html.lang = code;
  html.dir = LANGS.find((l) => l.code === code).rtl ? 'rtl' : 'ltr';
  applyI18n(document);
  for (const fn of listeners) fn(code);
}

export function onLang(fn) { listeners.add(fn); return () => listeners.delete(fn); }
