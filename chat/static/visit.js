/*
 * The visitor's chat page. Plain JS, no framework, no build step.
 *
 * Privacy: every bit of state lives in the variables below and nowhere else. No cookies, no
 * web storage, no IndexedDB, no service worker, no history entries. The WebSocket protocol is
 * shared/spec/protocol.md ("Visitor endpoint").
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- constants
  var MAX_MESSAGE_CHARS = 4000;
  var COUNTER_FROM_CHARS = 3500;
  var TYPING_SEND_EVERY_MS = 3000;
  var TYPING_SHOW_MS = 4000;
  var RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 5000];
  var RECONNECT_GIVE_UP_MS = 120000;
  var STATUS_REFRESH_MS = 60000;
  var LANGS = ['sv', 'en', 'ar'];
  var CODE_REQUEST_TIMEOUT_MS = 15000;

  // ---------------------------------------------------------------- strings
  var T = {
    sv: {
      quickExit: 'Lämna sidan snabbt',
      away: 'Dölj',
      langLabel: 'Språk',
      introTitle: 'Prata med någon',
      intro1: 'Anonym chatt. Du behöver inte säga vem du är.',
      intro2: 'Här kan du chatta med en utbildad kurator om kontroll, hot, tvång eller annat som händer hemma eller i familjen. Du bestämmer själv vad du berättar.',
      statusOpen: 'Chatten är öppen.',
      statusWaiting: 'Just nu väntar {n}.',
      statusClosed: 'Chatten är stängd just nu.',
      statusOpens: 'Den öppnar {when}.',
      whoLegend: 'Vem är du?',
      chYouth: 'Jag är ung och vill prata',
      chPro: 'Jag arbetar med unga och vill ha konsultation',
      ageLegend: 'Hur gammal är du?',
      ageUnder18: 'Under 18 år',
      age18plus: '18 år eller äldre',
      ageUnsaid: 'Vill inte säga',
      needAge: 'Välj ett svar om ålder. Du kan välja ”Vill inte säga”.',
      professionLabel: 'Din yrkesroll',
      proReminder: 'Berätta om ärendet utan namn, personnummer eller annat som kan visa vem det gäller.',
      topicLabel: 'Vad vill du prata om? (frivilligt)',
      skipOption: 'Vill inte välja',
      moreSummary: 'Fler frivilliga frågor',
      optionalNote: 'Svaren används bara för anonym statistik. Du kan hoppa över dem.',
      genderLabel: 'Kön',
      gGirl: 'Tjej',
      gBoy: 'Kille',
      gOther: 'Annat',
      gUnsaid: 'Vill inte säga',
      kommunLabel: 'Kommun',
      districtLabel: 'Stadsdel',
      rcLabel: 'Återkomstkod (om du har fått en förut)',
      start: 'Starta chatten',
      emergency: 'Om du är i akut fara: ring 112.',
      chatHeading: 'Chatt',
      noticeHeading: 'Det här behöver du veta',
      noticeAck: 'Jag förstår',
      noticeWait: 'Läs texten ovan och tryck på ”Jag förstår” för att komma vidare.',
      connecting: 'Ansluter…',
      queued: 'Du är nummer {pos} i kön.',
      queuedNext: 'Du är näst på tur.',
      eta: 'Ungefär {min} minuter kvar.',
      etaOne: 'Ungefär en minut kvar.',
      queuedWrite: 'Du kan börja skriva redan nu. Kuratorn ser det när chatten börjar.',
      joined: 'Du chattar nu med {name}.',
      counsellor: 'Kurator',
      you: 'Du',
      system: 'Info',
      typing: '{name} skriver…',
      msgLabel: 'Skriv ditt meddelande',
      msgPlaceholder: 'Skriv här…',
      send: 'Skicka',
      sending: 'Skickas…',
      sent: 'Skickat',
      charsLeft: '{n} tecken kvar',
      tooLong: 'Meddelandet är för långt. Korta ner det lite.',
      end: 'Avsluta chatten',
      endConfirm: 'Vill du avsluta chatten?',
      endYes: 'Ja, avsluta',
      endNo: 'Nej, fortsätt',
      endedHeading: 'Chatten är avslutad',
      endedVisitor: 'Du avslutade chatten.',
      endedCounsellor: 'Kuratorn avslutade chatten.',
      endedSystem: 'Chatten avslutades.',
      thanks: 'Tack för att du skrev. Du är välkommen tillbaka.',
      rcHeading: 'Vill du prata igen en annan gång?',
      rcText: 'Med en återkomstkod kan kuratorn se att du har chattat förut. Koden visar inte vad du har skrivit.',
      rcBtn: 'Ge mig en återkomstkod',
      rcFailed: 'Det gick inte att ta fram en kod just nu.',
      rcNote: 'Skriv ner koden på papper, inte i telefonen.',
      rcUsed: 'Du har använt {used} av {cap} samtal med den här koden.',
      surveyHeading: 'Vill du svara på några frågor? Det är frivilligt och anonymt.',
      surveySend: 'Skicka svaren',
      optYes: 'Ja',
      optPartly: 'Delvis',
      optNo: 'Nej',
      optDontKnow: 'Vet inte',
      surveyThanks: 'Tack för dina svar!',
      newChat: 'Starta en ny chatt',
      unavailableHeading: 'Chatten är inte öppen just nu',
      unavailableClosed: 'Chatten är stängd just nu.',
      unavailableFull: 'Just nu är det många som väntar och kön är full. Försök igen om en stund.',
      unavailableHelp: 'Du kan kontakta någon av dem som står längre ner på sidan under tiden.',
      back: 'Tillbaka',
      reconnecting: 'Anslutningen bröts. Vi försöker igen…',
      reconnected: 'Anslutningen är tillbaka.',
      resumeFailed: 'Chatten kunde tyvärr inte fortsätta. Du kan starta en ny chatt.',
      connectFailed: 'Vi fick ingen kontakt. Kontrollera internet och försök igen.',
      stillTrying: 'Vi får ingen kontakt just nu. Vi fortsätter att försöka…',
      unknownCode: 'Vi hittade inte den koden. Du kan chatta ändå, precis som vanligt.',
      rateLimited: 'Du skickar väldigt snabbt. Vänta en liten stund.',
      badText: 'Meddelandet kunde inte skickas. Det får inte vara tomt eller för långt.',
      genericError: 'Något gick fel. Försök igen om en stund.',
      kbHeading: 'Medan du väntar kan du läsa',
      kbBack: 'Tillbaka till listan',
      referralHeading: 'Här kan du få hjälp',
      openHelpHeading: 'Öppet just nu',
      openHelpText: 'De här kan du kontakta nu.',
      openHelpEmpty: 'Vi kunde inte visa listan just nu. Längre ner på sidan finns telefonnummer som alltid fungerar.',
      codeToolsHeading: 'Lämna ett meddelande eller läs svar',
      leaveSummary: 'Lämna ett meddelande',
      leaveText: 'Skriv till oss. En kurator svarar när chatten är öppen, och du läser svaret här med din kod. Skriv inte ditt namn, ditt nummer eller hur vi kan nå dig.',
      leaveLabel: 'Ditt meddelande',
      leaveCodeLabel: 'Återkomstkod, om du har en (annars får du en ny)',
      leaveSend: 'Lämna meddelandet',
      leaveDone: 'Tack! Ditt meddelande är lämnat. Din kod är:',
      leaveNote: 'Skriv ner koden på papper, inte i telefonen. Med koden kan du läsa svaret här senare.',
      leaveEmpty: 'Skriv ett meddelande först.',
      repliesSummary: 'Läs svar med din kod',
      codeLabel: 'Din återkomstkod',
      repliesSend: 'Visa svar',
      repliesEmpty: 'Inget svar än. Titta gärna igen senare.',
      needCode: 'Skriv din kod först.',
      codeNotFound: 'Vi hittade inte den koden. Kontrollera orden och försök igen.',
      forgetSummary: 'Glöm min kod',
      forgetText: 'Vill du att vi glömmer din kod? Då tar vi bort det som sparats med den: dina meddelanden, svaren och kuratorns anteckning. Koden slutar fungera. Du kan alltid chatta igen utan kod.',
      forgetSend: 'Glöm koden',
      forgetConfirm: 'Är du säker? Det går inte att ångra.',
      forgetYes: 'Ja, glöm koden',
      forgetNo: 'Nej, behåll den',
      forgetDone: 'Klart. Koden är glömd och det som sparades med den är borttaget. Du är alltid välkommen tillbaka.',
      forgetNone: 'Vi hittade ingen sådan kod. Den kan redan vara borttagen. Du behöver inte göra något mer.',
      requestFailed: 'Det gick inte just nu. Försök igen om en stund.',
      surveyFailed: 'Svaren kunde inte skickas. Det gör inget, de är frivilliga.',
      privacyHeading: 'Om din säkerhet',
      privacy1: 'Den här sidan sparar ingenting om ditt besök i telefonen eller datorn: inga kakor, inget annat.',
      privacy2: 'Men ingen webbplats kan ta bort sidan ur webbläsarens historik eller hindra någon från att titta på skärmen. Om någon annan kan använda din telefon eller dator: öppna chatten i ett privat fönster (inkognito) och stäng det när du är klar.',
      privacy3: '”Lämna sidan snabbt” tar dig direkt till en annan webbplats. På en dator kan du också trycka på Shift tre gånger.',
      privacy4: '”Dölj” eller Esc-tangenten lägger en vanlig sida över chatten. Tryck på rubriken där, eller Esc igen, för att komma tillbaka.',
      helpHeading: 'Andra som kan hjälpa',
      kbLink: 'Läs om dina rättigheter och var du kan få hjälp',
      help112: 'Akut fara',
      helpPolice: 'Polisen, när det inte är akut',
      helpBris: 'Bris, för dig under 18',
      helpKvinnofrid: 'Kvinnofridslinjen, dygnet runt',
      coverBack: 'tillbaka',
      coverTitle: 'Kanelbullar',
      coverMeta: 'Ca 30 bullar · 2 timmar',
      coverIngrH: 'Ingredienser',
      coverStepsH: 'Gör så här',
      coverIngr: ['50 g jäst', '5 dl mjölk', '150 g smör', '1 dl socker', '1 tsk kardemumma', 'ca 13 dl vetemjöl', 'Fyllning: smör, socker och kanel'],
      coverSteps: ['Smält smöret och tillsätt mjölken. Värm till fingervarmt.', 'Lös jästen i lite av degvätskan. Blanda i resten av vätskan, socker och kardemumma.', 'Arbeta in mjölet och knåda degen smidig. Låt jäsa under bakduk i 30 minuter.', 'Kavla ut degen, bred på fyllningen och rulla ihop. Skär i bitar och lägg i formar.', 'Låt jäsa 30 minuter till. Pensla med ägg och grädda mitt i ugnen i 225 grader i 5–8 minuter.']
    },
    en: {
      quickExit: 'Leave this page',
      away: 'Hide',
      langLabel: 'Language',
      introTitle: 'Talk to someone',
      intro1: 'Anonymous chat. You don’t have to say who you are.',
      intro2: 'Chat with a trained counsellor about control, threats, force or anything else happening at home or in your family. You decide what you tell.',
      statusOpen: 'The chat is open.',
      statusWaiting: '{n} waiting right now.',
      statusClosed: 'The chat is closed right now.',
      statusOpens: 'It opens {when}.',
      whoLegend: 'Who are you?',
      chYouth: 'I am young and want to talk',
      chPro: 'I work with young people and want a consultation',
      ageLegend: 'How old are you?',
      ageUnder18: 'Under 18',
      age18plus: '18 or older',
      ageUnsaid: 'I’d rather not say',
      needAge: 'Choose an answer about your age. You can choose “I’d rather not say”.',
      professionLabel: 'Your profession',
      proReminder: 'Describe the case without names, personal identity numbers or anything else that shows who it is about.',
      topicLabel: 'What do you want to talk about? (optional)',
      skipOption: 'Skip',
      moreSummary: 'More optional questions',
      optionalNote: 'The answers are only used for anonymous statistics. You can skip them.',
      genderLabel: 'Gender',
      gGirl: 'Girl',
      gBoy: 'Boy',
      gOther: 'Other',
      gUnsaid: 'I’d rather not say',
      kommunLabel: 'Municipality',
      districtLabel: 'City district',
      rcLabel: 'Return code (if you got one before)',
      start: 'Start the chat',
      emergency: 'If you are in danger right now: call 112.',
      chatHeading: 'Chat',
      noticeHeading: 'What you need to know',
      noticeAck: 'I understand',
      noticeWait: 'Read the text above and tap “I understand” to go on.',
      connecting: 'Connecting…',
      queued: 'You are number {pos} in the queue.',
      queuedNext: 'You are next.',
      eta: 'About {min} minutes left.',
      etaOne: 'About one minute left.',
      queuedWrite: 'You can start writing now. The counsellor sees it when the chat starts.',
      joined: 'You are now chatting with {name}.',
      counsellor: 'Counsellor',
      you: 'You',
      system: 'Info',
      typing: '{name} is writing…',
      msgLabel: 'Write your message',
      msgPlaceholder: 'Write here…',
      send: 'Send',
      sending: 'Sending…',
      sent: 'Sent',
      charsLeft: '{n} characters left',
      tooLong: 'The message is too long. Please make it a little shorter.',
      end: 'End the chat',
      endConfirm: 'Do you want to end the chat?',
      endYes: 'Yes, end it',
      endNo: 'No, continue',
      endedHeading: 'The chat has ended',
      endedVisitor: 'You ended the chat.',
      endedCounsellor: 'The counsellor ended the chat.',
      endedSystem: 'The chat was ended.',
      thanks: 'Thank you for writing. You are welcome back.',
      rcHeading: 'Want to talk again another time?',
      rcText: 'With a return code the counsellor can see that you have chatted before. The code does not show what you wrote.',
      rcBtn: 'Give me a return code',
      rcFailed: 'We couldn’t make a code right now.',
      rcNote: 'Write the code down on paper, not in your phone.',
      rcUsed: 'You have used {used} of {cap} conversations with this code.',
      surveyHeading: 'Would you answer a few questions? It is optional and anonymous.',
      surveySend: 'Send answers',
      optYes: 'Yes',
      optPartly: 'Partly',
      optNo: 'No',
      optDontKnow: 'I don’t know',
      surveyThanks: 'Thank you for your answers!',
      newChat: 'Start a new chat',
      unavailableHeading: 'The chat is not open right now',
      unavailableClosed: 'The chat is closed right now.',
      unavailableFull: 'Many people are waiting right now and the queue is full. Please try again in a while.',
      unavailableHelp: 'Meanwhile you can contact one of those listed further down the page.',
      back: 'Back',
      reconnecting: 'The connection was lost. Trying again…',
      reconnected: 'The connection is back.',
      resumeFailed: 'Sorry, the chat could not continue. You can start a new chat.',
      connectFailed: 'We could not connect. Check your internet and try again.',
      stillTrying: 'We can’t connect right now. We keep trying…',
      unknownCode: 'We couldn’t find that code. You can still chat as usual.',
      rateLimited: 'You are sending very fast. Please wait a moment.',
      badText: 'The message could not be sent. It must not be empty or too long.',
      genericError: 'Something went wrong. Please try again in a moment.',
      kbHeading: 'While you wait, you can read',
      kbBack: 'Back to the list',
      referralHeading: 'Where you can get help',
      openHelpHeading: 'Open right now',
      openHelpText: 'You can contact these now.',
      openHelpEmpty: 'We could not show the list right now. Further down the page there are numbers that always work.',
      codeToolsHeading: 'Leave a message or read replies',
      leaveSummary: 'Leave a message',
      leaveText: 'Write to us. A counsellor answers when the chat is open, and you read the answer here with your code. Do not write your name, your number or how to reach you.',
      leaveLabel: 'Your message',
      leaveCodeLabel: 'Return code, if you have one (otherwise you get a new one)',
      leaveSend: 'Leave the message',
      leaveDone: 'Thank you! Your message has been left. Your code is:',
      leaveNote: 'Write the code down on paper, not in your phone. With the code you can read the reply here later.',
      leaveEmpty: 'Write a message first.',
      repliesSummary: 'Read replies with your code',
      codeLabel: 'Your return code',
      repliesSend: 'Show replies',
      repliesEmpty: 'No reply yet. Please look again later.',
      needCode: 'Write your code first.',
      codeNotFound: 'We couldn’t find that code. Check the words and try again.',
      forgetSummary: 'Forget my code',
      forgetText: 'Do you want us to forget your code? Then we delete what was kept with it: your messages, the replies and the counsellor’s note. The code stops working. You can always chat again without a code.',
      forgetSend: 'Forget the code',
      forgetConfirm: 'Are you sure? This cannot be undone.',
      forgetYes: 'Yes, forget the code',
      forgetNo: 'No, keep it',
      forgetDone: 'Done. The code is forgotten and what was kept with it is deleted. You are always welcome back.',
      forgetNone: 'We found no such code. It may already be deleted. You don’t need to do anything more.',
      requestFailed: 'That didn’t work right now. Please try again in a while.',
      surveyFailed: 'The answers could not be sent. That’s fine, they are optional.',
      privacyHeading: 'About your safety',
      privacy1: 'This page keeps nothing about your visit on your phone or computer: no cookies, nothing else.',
      privacy2: 'But no website can remove this page from the browser history or stop someone from looking at the screen. If someone else can use your phone or computer: open the chat in a private (incognito) window and close it when you are done.',
      privacy3: '“Leave this page” takes you straight to another website. On a computer you can also press Shift three times.',
      privacy4: '“Hide” or the Esc key puts an ordinary page over the chat. Tap its heading, or press Esc again, to come back.',
      helpHeading: 'Others who can help',
      kbLink: 'Read about your rights and where to get help',
      help112: 'Danger right now',
      helpPolice: 'Police, when it is not urgent',
      helpBris: 'Bris, if you are under 18',
      helpKvinnofrid: 'Kvinnofridslinjen (women’s helpline), day and night',
      coverBack: 'back',
      coverTitle: 'Banana bread',
      coverMeta: 'One loaf · 1 hour 15 minutes',
      coverIngrH: 'Ingredients',
      coverStepsH: 'Method',
      coverIngr: ['3 ripe bananas', '75 g melted butter', '150 g sugar', '1 egg', '1 tsp baking soda', 'a pinch of salt', '190 g plain flour'],
      coverSteps: ['Heat the oven to 175 °C and butter a loaf tin.', 'Mash the bananas in a bowl and stir in the melted butter.', 'Mix in the sugar, the egg, the baking soda and the salt.', 'Fold in the flour until just combined.', 'Pour into the tin and bake for about 55 minutes.']
    },
    ar: {
      quickExit: 'غادر الصفحة بسرعة',
      away: 'إخفاء',
      langLabel: 'اللغة',
      introTitle: 'تحدّث مع أحد',
      intro1: 'دردشة مجهولة. لا تحتاج أن تقول من أنت.',
      intro2: 'هنا يمكنك الدردشة مع مستشار مدرَّب عن السيطرة أو التهديد أو الإجبار أو أي شيء آخر يحدث في البيت أو في العائلة. أنت تقرر ماذا تحكي.',
      statusOpen: 'الدردشة مفتوحة.',
      statusWaiting: 'ينتظر الآن {n}.',
      statusClosed: 'الدردشة مغلقة الآن.',
      statusOpens: 'تفتح {when}.',
      whoLegend: 'من أنت؟',
      chYouth: 'أنا شاب أو شابة وأريد أن أتحدث',
      chPro: 'أعمل مع الشباب وأريد استشارة',
      ageLegend: 'كم عمرك؟',
      ageUnder18: 'أقل من 18 سنة',
      age18plus: '18 سنة أو أكثر',
      ageUnsaid: 'أفضّل ألا أقول',
      needAge: 'اختر جوابًا عن العمر. يمكنك أن تختار «أفضّل ألا أقول».',
      professionLabel: 'مهنتك',
      proReminder: 'احكِ عن الحالة بدون أسماء أو أرقام شخصية أو أي شيء يُظهر من هو الشخص.',
      topicLabel: 'عن ماذا تريد أن تتحدث؟ (اختياري)',
      skipOption: 'تخطَّ',
      moreSummary: 'أسئلة اختيارية أخرى',
      optionalNote: 'الأجوبة تُستخدم فقط لإحصاءات مجهولة. يمكنك تخطيها.',
      genderLabel: 'الجنس',
      gGirl: 'بنت',
      gBoy: 'ولد',
      gOther: 'غير ذلك',
      gUnsaid: 'أفضّل ألا أقول',
      kommunLabel: 'البلدية',
      districtLabel: 'الحي',
      rcLabel: 'رمز العودة (إذا حصلت على رمز من قبل)',
      start: 'ابدأ الدردشة',
      emergency: 'إذا كنت في خطر الآن: اتصل بـ 112.',
      chatHeading: 'دردشة',
      noticeHeading: 'ما يجب أن تعرفه',
      noticeAck: 'فهمت',
      noticeWait: 'اقرأ النص أعلاه واضغط «فهمت» لتتابع.',
      connecting: 'جارٍ الاتصال…',
      queued: 'أنت رقم {pos} في الدور.',
      queuedNext: 'أنت التالي في الدور.',
      eta: 'حوالي {min} دقائق.',
      etaOne: 'حوالي دقيقة واحدة.',
      queuedWrite: 'يمكنك أن تبدأ الكتابة الآن. سيرى المستشار ما كتبته عندما تبدأ الدردشة.',
      joined: 'أنت تتحدث الآن مع {name}.',
      counsellor: 'المستشار',
      you: 'أنت',
      system: 'معلومة',
      typing: '{name} يكتب…',
      msgLabel: 'اكتب رسالتك',
      msgPlaceholder: 'اكتب هنا…',
      send: 'أرسل',
      sending: 'جارٍ الإرسال…',
      sent: 'أُرسلت',
      charsLeft: 'بقي {n} حرفًا',
      tooLong: 'الرسالة طويلة جدًا. اجعلها أقصر قليلًا.',
      end: 'أنهِ الدردشة',
      endConfirm: 'هل تريد إنهاء الدردشة؟',
      endYes: 'نعم، أنهِها',
      endNo: 'لا، أكمل',
      endedHeading: 'انتهت الدردشة',
      endedVisitor: 'أنت أنهيت الدردشة.',
      endedCounsellor: 'المستشار أنهى الدردشة.',
      endedSystem: 'انتهت الدردشة.',
      thanks: 'شكرًا لأنك كتبت. أهلًا بك مرة أخرى.',
      rcHeading: 'هل تريد أن تتحدث مرة أخرى في وقت آخر؟',
      rcText: 'برمز العودة يستطيع المستشار أن يرى أنك دردشت من قبل. الرمز لا يُظهر ما كتبته.',
      rcBtn: 'أعطني رمز العودة',
      rcFailed: 'لم نستطع إنشاء رمز الآن.',
      rcNote: 'اكتب الرمز على ورقة، وليس في الهاتف.',
      rcUsed: 'استخدمت {used} من {cap} محادثات بهذا الرمز.',
      surveyHeading: 'هل تجيب عن بعض الأسئلة؟ الإجابة اختيارية ومجهولة.',
      surveySend: 'أرسل الأجوبة',
      optYes: 'نعم',
      optPartly: 'إلى حد ما',
      optNo: 'لا',
      optDontKnow: 'لا أعرف',
      surveyThanks: 'شكرًا على أجوبتك!',
      newChat: 'ابدأ دردشة جديدة',
      unavailableHeading: 'الدردشة غير مفتوحة الآن',
      unavailableClosed: 'الدردشة مغلقة الآن.',
      unavailableFull: 'كثيرون ينتظرون الآن والدور ممتلئ. حاول مرة أخرى بعد قليل.',
      unavailableHelp: 'في هذه الأثناء يمكنك الاتصال بإحدى الجهات المذكورة في أسفل الصفحة.',
      back: 'رجوع',
      reconnecting: 'انقطع الاتصال. نحاول مرة أخرى…',
      reconnected: 'عاد الاتصال.',
      resumeFailed: 'للأسف لم تستطع الدردشة أن تستمر. يمكنك أن تبدأ دردشة جديدة.',
      connectFailed: 'لم نستطع الاتصال. تحقق من الإنترنت وحاول مرة أخرى.',
      stillTrying: 'لا نستطيع الاتصال الآن. نستمر في المحاولة…',
      unknownCode: 'لم نجد هذا الرمز. يمكنك الدردشة كالمعتاد.',
      rateLimited: 'أنت ترسل بسرعة كبيرة. انتظر قليلًا.',
      badText: 'لم تُرسل الرسالة. يجب ألا تكون فارغة أو طويلة جدًا.',
      genericError: 'حدث خطأ. حاول مرة أخرى بعد قليل.',
      kbHeading: 'أثناء الانتظار يمكنك أن تقرأ',
      kbBack: 'رجوع إلى القائمة',
      referralHeading: 'أين يمكنك الحصول على المساعدة',
      openHelpHeading: 'مفتوح الآن',
      openHelpText: 'يمكنك التواصل مع هؤلاء الآن.',
      openHelpEmpty: 'لم نستطع عرض القائمة الآن. في أسفل الصفحة أرقام تعمل دائمًا.',
      codeToolsHeading: 'اترك رسالة أو اقرأ الردود',
      leaveSummary: 'اترك رسالة',
      leaveText: 'اكتب لنا. يرد مستشار عندما تكون الدردشة مفتوحة، وتقرأ الرد هنا برمزك. لا تكتب اسمك أو رقمك أو كيف نصل إليك.',
      leaveLabel: 'رسالتك',
      leaveCodeLabel: 'رمز العودة إن كان لديك (وإلا تحصل على رمز جديد)',
      leaveSend: 'اترك الرسالة',
      leaveDone: 'شكرًا! تركت رسالتك. رمزك هو:',
      leaveNote: 'اكتب الرمز على ورقة، لا في الهاتف. بالرمز يمكنك قراءة الرد هنا لاحقًا.',
      leaveEmpty: 'اكتب رسالة أولًا.',
      repliesSummary: 'اقرأ الردود برمزك',
      codeLabel: 'رمز العودة الخاص بك',
      repliesSend: 'اعرض الردود',
      repliesEmpty: 'لا يوجد رد بعد. انظر مرة أخرى لاحقًا.',
      needCode: 'اكتب رمزك أولًا.',
      codeNotFound: 'لم نجد هذا الرمز. تحقق من الكلمات وحاول مرة أخرى.',
      forgetSummary: 'انسَ رمزي',
      forgetText: 'هل تريد أن ننسى رمزك؟ عندها نحذف ما حُفظ معه: رسائلك والردود وملاحظة المستشار. يتوقف الرمز عن العمل. يمكنك دائمًا الدردشة من جديد بدون رمز.',
      forgetSend: 'انسَ الرمز',
      forgetConfirm: 'هل أنت متأكد؟ لا يمكن التراجع.',
      forgetYes: 'نعم، انسَ الرمز',
      forgetNo: 'لا، احتفظ به',
      forgetDone: 'تم. نُسي الرمز وحُذف ما حُفظ معه. أنت مرحب بك دائمًا.',
      forgetNone: 'لم نجد رمزًا كهذا. ربما حُذف من قبل. لا تحتاج أن تفعل شيئًا آخر.',
      requestFailed: 'لم ينجح ذلك الآن. حاول مرة أخرى بعد قليل.',
      surveyFailed: 'لم نستطع إرسال الأجوبة. لا بأس، فهي اختيارية.',
      privacyHeading: 'عن أمانك',
      privacy1: 'هذه الصفحة لا تحفظ شيئًا عن زيارتك في الهاتف أو الكمبيوتر: لا ملفات تعريف الارتباط ولا أي شيء آخر.',
      privacy2: 'لكن لا يستطيع أي موقع أن يحذف الصفحة من سجل المتصفح أو أن يمنع أحدًا من النظر إلى الشاشة. إذا كان شخص آخر يستطيع استخدام هاتفك أو الكمبيوتر: افتح الدردشة في نافذة خاصة (التصفح المتخفي) وأغلقها عندما تنتهي.',
      privacy3: '«غادر الصفحة بسرعة» يأخذك مباشرة إلى موقع آخر. على الكمبيوتر يمكنك أيضًا الضغط على Shift ثلاث مرات.',
      privacy4: '«إخفاء» أو زر Esc يضع صفحة عادية فوق الدردشة. اضغط على عنوانها، أو على Esc مرة أخرى، لتعود.',
      helpHeading: 'جهات أخرى يمكنها المساعدة',
      kbLink: 'اقرأ عن حقوقك وأين يمكنك الحصول على المساعدة',
      help112: 'خطر الآن',
      helpPolice: 'الشرطة، عندما لا يكون الأمر عاجلًا',
      helpBris: 'Bris، لمن هم أقل من 18 سنة',
      helpKvinnofrid: 'Kvinnofridslinjen، خط للنساء، ليلًا ونهارًا',
      coverBack: 'رجوع',
      coverTitle: 'شوربة العدس',
      coverMeta: '4 أشخاص · 40 دقيقة',
      coverIngrH: 'المكونات',
      coverStepsH: 'طريقة التحضير',
      coverIngr: ['كوب عدس أحمر', 'بصلة', 'جزرة', 'ملعقة كمون', 'لتر ماء', 'ملح وليمون'],
      coverSteps: ['اغسل العدس جيدًا.', 'قطّع البصل والجزر واقلهما قليلًا في الزيت.', 'أضف العدس والماء والكمون واتركه يغلي حوالي 25 دقيقة.', 'اخلط الشوربة حتى تصبح ناعمة وأضف الملح.', 'قدّمها مع الليمون.']
    }
  };

  // ---------------------------------------------------------------- state (memory only)
  var S = {
    lang: 'sv',
    hello: null,          // the fields of the last hello, reused on resume
    ws: null,
    phase: 'start',       // start | connecting | notice | queued | joined | ended | unavailable | failed | exited
    token: null,
    chatId: null,
    seen: {},             // seq -> true (from msg frames and acks)
    contiguousSeq: 0,     // every seq up to here has been seen: what we ask to replay after
    pending: [],          // [{id, text, el, seq}] sent, not yet acknowledged, oldest first
    counsellor: '',
    dropStartedAt: 0,
    reconnectAttempt: 0,
    reconnectTimer: 0,
    lastTypingSentAt: 0,
    typingTimer: 0,
    covered: false,
    coverReturnFocus: null,
    topics: [],
    topicsLang: '',
    status: null,
    surveyLoaded: false,
    surveySent: false,
    forgetCode: ''
  };

  // ---------------------------------------------------------------- helpers
  function $(id) { return document.getElementById(id); }

  function t(key, vars) {
    var table = T[S.lang] || T.sv;
    var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : T.sv[key];
    if (typeof text !== 'string') { return text; }
    if (vars) {
      text = text.replace(/\{(\w+)\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m;
      });
    }
    return text;
  }

  function show(el, on) { if (el) { el.hidden = !on; } }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function codePoints(text) { return Array.from(text).length; }

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  // ---------------------------------------------------------------- municipality and district
  // Every municipality from the server (GET /api/municipalities), searchable by name in a
  // <datalist>; the hidden #kommun holds the code of the name typed or picked, and a city with
  // districts offers them (GET /api/districts).
  var KOMMUN_BY_NAME = {};

  function loadMunicipalities() {
    getJSON('/api/municipalities').then(function (data) {
      var list = $('kommun-list');
      (data && Array.isArray(data.municipalities) ? data.municipalities : []).forEach(function (m) {
        KOMMUN_BY_NAME[String(m.name).toLocaleLowerCase('sv')] = String(m.code);
        var opt = document.createElement('option');
        opt.value = String(m.name);
        if (list) { list.appendChild(opt); }
      });
      onKommunInput();
    }).catch(function () { /* the picker stays empty: kommun is optional */ });
  }

  function onKommunInput() {
    var typed = $('kommun-name') ? $('kommun-name').value.trim().toLocaleLowerCase('sv') : '';
    var code = KOMMUN_BY_NAME[typed] || '';
    if (code === $('kommun').value) { return; }
    $('kommun').value = code;
    loadDistricts(code);
    renderOpenHelp();
  }

  function loadDistricts(code) {
    var select = $('district');
    if (!select) { return; }
    while (select.options.length > 1) { select.remove(1); }
    select.value = '';
    show($('district-field'), false);
    if (!code) { return; }
    getJSON('/api/districts?kommun=' + encodeURIComponent(code)).then(function (data) {
      if ($('kommun').value !== code) { return; }
      var items = data && Array.isArray(data.districts) ? data.districts : [];
      items.forEach(function (d) {
        var opt = document.createElement('option');
        opt.value = String(d.code);
        opt.textContent = String(d.name);
        select.appendChild(opt);
      });
      show($('district-field'), items.length > 0);
    }).catch(function () { /* no districts offered: district is optional */ });
  }

  function getJSON(path) {
    return window.fetch(path, {
      method: 'GET', cache: 'no-store', credentials: 'omit', redirect: 'error',
      headers: { 'Accept': 'application/json' }
    }).then(function (resp) {
      if (!resp.ok) { throw new Error('http ' + resp.status); }
      return resp.json();
    });
  }

  function formatWhen(ts) {
    var date = new Date(ts);
    if (isNaN(date.getTime())) { return ''; }
    var locale = S.lang === 'ar' ? 'ar' : (S.lang === 'en' ? 'en-GB' : 'sv-SE');
    try {
      return new Intl.DateTimeFormat(locale, {
        weekday: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm'
      }).format(date);
    } catch (e) {
      return date.toLocaleString();
    }
  }

  function formatTime(ts) {
    var date = ts ? new Date(ts) : new Date();
    if (isNaN(date.getTime())) { date = new Date(); }
    var locale = S.lang === 'ar' ? 'ar' : (S.lang === 'en' ? 'en-GB' : 'sv-SE');
    try {
      return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
    } catch (e) {
      return '';
    }
  }

  // ---------------------------------------------------------------- language
  function applyLang(lang) {
    if (LANGS.indexOf(lang) < 0) { lang = 'sv'; }
    S.lang = lang;
    var html = document.documentElement;
    html.lang = lang;
    html.dir = lang === 'ar' ? 'rtl' : 'ltr';
    var nodes = document.querySelectorAll('[data-i18n]');
    var i;
    for (i = 0; i < nodes.length; i++) {
      var value = t(nodes[i].getAttribute('data-i18n'));
      if (typeof value === 'string') { nodes[i].textContent = value; }
    }
    nodes = document.querySelectorAll('[data-i18n-placeholder]');
    for (i = 0; i < nodes.length; i++) {
      nodes[i].setAttribute('placeholder', t(nodes[i].getAttribute('data-i18n-placeholder')));
    }
    nodes = document.querySelectorAll('[data-i18n-aria-label]');
    for (i = 0; i < nodes.length; i++) {
      nodes[i].setAttribute('aria-label', t(nodes[i].getAttribute('data-i18n-aria-label')));
    }
    var kbLink = document.getElementById('kb-link');
    if (kbLink) { kbLink.setAttribute('href', '/kb/?lang=' + lang); }
    nodes = document.querySelectorAll('.lang-btn');
    for (i = 0; i < nodes.length; i++) {
      nodes[i].setAttribute('aria-pressed', nodes[i].getAttribute('data-lang') === lang ? 'true' : 'false');
    }
    nodes = document.querySelectorAll('[data-notice-lang]');
    var anyShown = false;
    for (i = 0; i < nodes.length; i++) {
      var mine = nodes[i].getAttribute('data-notice-lang') === lang && nodes[i].textContent.trim() !== '';
      nodes[i].hidden = !mine;
      anyShown = anyShown || mine;
    }
    if (!anyShown) {
      for (i = 0; i < nodes.length; i++) {
        if (nodes[i].getAttribute('data-notice-lang') === 'sv') { nodes[i].hidden = false; }
      }
    }
    renderCover();
    renderOpenStatus();
    renderChatStatus();
    updateCounter();
    if (S.phase === 'start') {
      loadTopics();
      loadProfessions();
    }
  }

  // ---------------------------------------------------------------- start view
  function fillSelect(select, items) {
    var keep = select.value;
    while (select.options.length > 1) { select.remove(1); }
    items.forEach(function (item) {
      var option = el('option', null, item.label);
      option.value = item.code;
      select.appendChild(option);
    });
    select.value = keep;
    if (select.value !== keep) { select.value = ''; }
  }

  function loadTopics() {
    var lang = S.lang;
    getJSON('/api/topics?lang=' + encodeURIComponent(lang)).then(function (data) {
      if (S.lang !== lang || !data || !Array.isArray(data.topics)) { return; }
      S.topics = data.topics;
      S.topicsLang = lang;
      fillSelect($('topic'), data.topics);
    }).catch(function () { /* the topic stays optional */ });
  }

  function loadProfessions() {
    var lang = S.lang;
    getJSON('/api/professions?lang=' + encodeURIComponent(lang)).then(function (data) {
      if (S.lang !== lang || !data || !Array.isArray(data.professions)) { return; }
      fillSelect($('profession'), data.professions);
    }).catch(function () { /* optional */ });
  }

  function loadStatus() {
    getJSON('/api/status').then(function (data) {
      S.status = data;
      renderOpenStatus();
    }).catch(function () {
      S.status = null;
      renderOpenStatus();
    });
  }

  function renderOpenStatus() {
    var node = $('open-status');
    if (!node) { return; }
    var st = S.status;
    if (!st) { node.textContent = ''; return; }
    var parts = [];
    if (st.open) {
      parts.push(t('statusOpen'));
    } else {
      parts.push(t('statusClosed'));
      if (st.opens) {
        var when = formatWhen(st.opens);
        if (when) { parts.push(t('statusOpens', { when: when })); }
      }
    }
    node.textContent = parts.join(' ');
    node.classList.toggle('is-closed', !st.open);
    renderOpenHelp();
  }

  function currentChannel() {
    var checked = document.querySelector('input[name="channel"]:checked');
    return checked ? checked.value : 'youth';
  }

  function onChannelChange() {
    var pro = currentChannel() === 'professional';
    show($('age-field'), !pro);
    show($('profession-field'), pro);
    show($('gender-field'), !pro);
    show($('age-error'), false);
  }

  function readStartForm() {
    var channel = currentChannel();
    var hello = { type: 'hello', v: 1, channel: channel, lang: S.lang };
    if (channel === 'professional') {
      // Professionals are adults consulting about someone else's case.
      hello.age = '18plus';
      var profession = $('profession').value;
      if (profession) { hello.profession = profession; }
    } else {
      var age = document.querySelector('input[name="age"]:checked');
      if (!age) { return null; }
      hello.age = age.value;
      var gender = $('gender').value;
      if (gender) { hello.gender = gender; }
    }
    var topic = $('topic').value;
    if (topic) { hello.topic = topic; }
    var kommun = $('kommun').value;
    if (/^\d{4}$/.test(kommun)) { hello.kommun = kommun; }
    var district = $('district') ? $('district').value : '';
    if (district && hello.kommun) { hello.district = district; }
    var code = $('return-code').value.trim();
    if (code) { hello.return_code = code; }
    return hello;
  }

  function onStartSubmit(event) {
    event.preventDefault();
    var hello = readStartForm();
    if (!hello) {
      show($('age-error'), true);
      var first = $('age-under18');
      if (first) { first.focus(); }
      return;
    }
    show($('age-error'), false);
    startChat(hello);
  }

  // ---------------------------------------------------------------- views
  function showView(name) {
    S.view = name;
    show($('view-start'), name === 'start');
    show($('view-chat'), name === 'chat');
    show($('view-unavailable'), name === 'unavailable');
    show($('code-tools'), name !== 'chat');
    renderOpenHelp();
  }

  function resetChatView() {
    clear($('messages'));
    show($('notice'), false);
    show($('kb'), false);
    show($('kb-article'), false);
    show($('typing'), false);
    show($('chat-form'), false);
    show($('chat-actions'), false);
    show($('end-confirm'), false);
    show($('ended'), false);
    show($('rc-result'), false);
    show($('rc-error'), false);
    show($('rc-live-result'), false);
    $('rc-live-btn').disabled = false;
    show($('rc-live-btn'), true);
    S.rcRequested = false;
    S.surveySent = false;
    show($('survey-error'), false);
    show($('survey-form'), false);
    show($('survey-thanks'), false);
    show($('chat-alert'), false);
    $('rc-btn').disabled = false;
    $('chat-input').value = '';
    updateCounter();
  }

  function setAlert(text, key) {
    S.alertKey = text ? (key || 'other') : '';
    var node = $('chat-alert');
    if (!text) { show(node, false); node.textContent = ''; return; }
    node.textContent = text;
    show(node, true);
  }

  function renderChatStatus() {
    var node = $('chat-status');
    if (!node) { return; }
    var text = '';
    switch (S.phase) {
      case 'connecting': text = t('connecting'); break;
      case 'notice': text = t('noticeWait'); break;
      case 'queued': text = queueText(); break;
      case 'joined': text = t('joined', { name: S.counsellor || t('counsellor') }); break;
      case 'reconnecting': text = t('reconnecting'); break;
      default: text = '';
    }
    if (node.textContent !== text) { node.textContent = text; }
  }

  function queueText() {
    var q = S.queue || {};
    var parts = [];
    if (q.position === 1) {
      parts.push(t('queuedNext'));
    } else if (typeof q.position === 'number') {
      parts.push(t('queued', { pos: q.position }));
    }
    if (typeof q.eta_s === 'number' && q.eta_s >= 0) {
      var minutes = Math.max(1, Math.round(q.eta_s / 60));
      parts.push(minutes === 1 ? t('etaOne') : t('eta', { min: minutes }));
    }
    parts.push(t('queuedWrite'));
    return parts.join(' ');
  }

  function setPhase(phase) {
    S.phase = phase;
    var talking = phase === 'queued' || phase === 'joined' || phase === 'reconnecting';
    show($('chat-form'), talking);
    show($('chat-actions'), talking || phase === 'notice');
    if (phase !== 'queued') { show($('kb'), false); }
    renderChatStatus();
  }

  // ---------------------------------------------------------------- socket
  function socketUrl() {
    return (location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws/visit';
  }

  function startChat(hello) {
    closeSocket();
    S.hello = hello;
    S.token = null;
    S.chatId = null;
    S.seen = {};
    S.contiguousSeq = 0;
    S.pending = [];
    S.counsellor = '';
    S.queue = null;
    S.dropStartedAt = 0;
    S.reconnectAttempt = 0;
    resetChatView();
    showView('chat');
    setPhase('connecting');
    $('chat-status').focus();
    openSocket();
  }

  function openSocket() {
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      onSocketClosed(null);
      return;
    }
    S.ws = ws;
    ws.onopen = function () {
      if (S.ws !== ws) { return; }
      var frame = {};
      Object.keys(S.hello).forEach(function (k) { frame[k] = S.hello[k]; });
      if (S.token) {
        frame.resume = { token: S.token, last_seq: S.contiguousSeq };
        delete frame.return_code;
      }
      sendFrame(frame);
    };
    ws.onmessage = function (event) {
      if (S.ws !== ws) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.type === 'string') { handleFrame(frame); }
    };
    ws.onclose = function () {
      if (S.ws !== ws) { return; }
      S.ws = null;
      onSocketClosed(ws);
    };
    ws.onerror = function () { /* onclose follows */ };
  }

  function sendFrame(frame) {
    var ws = S.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) { return false; }
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  }

  function closeSocket() {
    window.clearTimeout(S.reconnectTimer);
    var ws = S.ws;
    S.ws = null;
    if (ws) {
      try { ws.close(1000); } catch (e) { /* already closed */ }
    }
  }

  function endedForGood() {
    return S.phase === 'ended' || S.phase === 'exited' || S.phase === 'unavailable' ||
      S.phase === 'failed' || S.phase === 'start';
  }

  function onSocketClosed() {
    if (endedForGood()) { return; }
    var now = Date.now();
    if (!S.dropStartedAt) { S.dropStartedAt = now; S.reconnectAttempt = 0; }
    if (now - S.dropStartedAt > RECONNECT_GIVE_UP_MS) {
      failChat(S.token ? t('resumeFailed') : t('connectFailed'));
      return;
    }
    if (S.phase !== 'connecting') { setPhase('reconnecting'); }
    if (S.reconnectAttempt >= 3) { setAlert(t('stillTrying'), 'stillTrying'); }
    var delay = RECONNECT_DELAYS_MS[Math.min(S.reconnectAttempt, RECONNECT_DELAYS_MS.length - 1)];
    S.reconnectAttempt += 1;
    window.clearTimeout(S.reconnectTimer);
    S.reconnectTimer = window.setTimeout(openSocket, delay);
  }

  function failChat(text) {
    closeSocket();
    S.phase = 'failed';
    setPhase('failed');
    show($('chat-form'), false);
    show($('chat-actions'), false);
    markPendingFailed();
    setAlert(text);
    show($('ended'), false);
    var restart = $('restart-btn');
    // Offer a fresh start right below the message.
    var box = $('ended');
    show(box, true);
    show($('rc-section'), false);
    $('ended-by').textContent = '';
    restart.focus();
  }

  // ---------------------------------------------------------------- frames in
  function handleFrame(f) {
    switch (f.type) {
      case 'welcome': onWelcome(f); break;
      case 'notice': onNotice(f); break;
      case 'unavailable': onUnavailable(f); break;
      case 'queued': onQueued(f); break;
      case 'joined': onJoined(f); break;
      case 'msg': onMsg(f); break;
      case 'ack': onAck(f); break;
      case 'typing': onTyping(); break;
      case 'referral': onReferral(f); break;
      case 'ended': onEnded(f); break;
      case 'return_code': onReturnCode(f); break;
      case 'survey_received': onSurveyReceived(); break;
      case 'error': onError(f); break;
      default: break;
    }
  }

  function onWelcome(f) {
    var resumed = !!S.dropStartedAt && S.chatId && f.chat === S.chatId;
    S.token = f.token || null;
    S.chatId = f.chat || S.chatId;
    S.dropStartedAt = 0;
    S.reconnectAttempt = 0;
    if (S.alertKey === 'stillTrying') { setAlert(''); }
    if (S.phase === 'connecting' || S.phase === 'reconnecting') {
      // The state frame (queued/joined/notice) follows; keep the composer until then.
      if (S.phase === 'reconnecting') { setPhase(S.counsellor ? 'joined' : 'queued'); }
    }
    if (resumed) {
      setAlert('');
      S.pending.forEach(function (p) {
        sendFrame({ type: 'msg', id: p.id, text: p.text });
      });
    }
  }

  function onNotice(f) {
    var box = $('notice-text');
    clear(box);
    String(f.text || '').split(/\n+/).forEach(function (para) {
      if (para.trim()) { box.appendChild(el('p', null, para)); }
    });
    show($('notice'), true);
    setPhase('notice');
    $('notice-ack').focus();
  }

  function onNoticeAck() {
    sendFrame({ type: 'notice_ack', id: 'reporting-duty' });
    show($('notice'), false);
    setPhase('connecting');
  }

  function onUnavailable(f) {
    S.phase = 'unavailable';
    closeSocket();
    var text = f.reason === 'full' ? t('unavailableFull') : t('unavailableClosed');
    if (f.reason === 'closed' && f.opens) {
      var when = formatWhen(f.opens);
      if (when) { text += ' ' + t('statusOpens', { when: when }); }
    }
    $('unavailable-text').textContent = text;
    setPhase('unavailable');
    showView('unavailable');
    $('leave-box').open = true;
    $('view-unavailable').focus();
  }

  function onQueued(f) {
    S.queue = { position: f.position, eta_s: f.eta_s };
    if (S.phase !== 'queued') {
      setPhase('queued');
      loadArticles();
    } else {
      renderChatStatus();
    }
  }

  function onJoined(f) {
    S.counsellor = typeof f.counsellor === 'string' && f.counsellor ? f.counsellor : S.counsellor;
    var wasJoined = S.phase === 'joined';
    setPhase('joined');
    show($('kb'), false);
    if (!wasJoined) {
      var input = $('chat-input');
      if (document.activeElement === document.body || !document.activeElement) { input.focus(); }
    }
  }

  function noteSeq(seq) {
    if (typeof seq !== 'number') { return; }
    S.seen[seq] = true;
    while (S.seen[S.contiguousSeq + 1]) { S.contiguousSeq += 1; }
  }

  function onMsg(f) {
    if (typeof f.seq === 'number' && S.seen[f.seq]) { return; }
    if (f.from === 'visitor') {
      // A replay of our own message: match it to a bubble still waiting for its ack.
      for (var i = 0; i < S.pending.length; i++) {
        if (S.pending[i].text === f.text && !S.pending[i].seq) {
          S.pending[i].seq = f.seq;
          markSent(S.pending[i].el);
          noteSeq(f.seq);
          return;
        }
      }
    }
    noteSeq(f.seq);
    if (f.from === 'counsellor') { show($('typing'), false); }
    addMessage(f.from, f.text, f.at);
  }

  function onAck(f) {
    noteSeq(f.seq);
    for (var i = 0; i < S.pending.length; i++) {
      if (S.pending[i].id === f.id) {
        markSent(S.pending[i].el);
        S.pending.splice(i, 1);
        return;
      }
    }
  }

  function onTyping() {
    if (S.phase !== 'joined') { return; }
    var node = $('typing');
    node.textContent = t('typing', { name: S.counsellor || t('counsellor') });
    show(node, true);
    window.clearTimeout(S.typingTimer);
    S.typingTimer = window.setTimeout(function () { show(node, false); }, TYPING_SHOW_MS);
  }

  function onEnded(f) {
    S.phase = 'ended';
    setPhase('ended');
    show($('typing'), false);
    show($('end-confirm'), false);
    markPendingFailed();
    var by = f.by === 'visitor' ? t('endedVisitor') : (f.by === 'counsellor' ? t('endedCounsellor') : t('endedSystem'));
    $('ended-by').textContent = by;
    addMessage('system', by, null);
    show($('rc-section'), true);
    show($('ended'), true);
    loadSurvey();
    $('ended').focus();
  }

  function rcError(on) {
    var node = $('rc-error');
    node.textContent = on ? t('rcFailed') : '';
    show(node, on);
  }

  function onReturnCode(f) {
    S.rcRequested = false;
    rcError(false);
    $('rc-code').textContent = String(f.code || '');
    var used = $('rc-used');
    if (typeof f.sessions_used === 'number' && typeof f.cap === 'number') {
      used.textContent = t('rcUsed', { used: f.sessions_used, cap: f.cap });
    } else {
      used.textContent = '';
    }
    show($('rc-result'), true);
    $('rc-btn').disabled = true;
    $('rc-live-code').textContent = String(f.code || '');
    show($('rc-live-result'), true);
    show($('rc-live-btn'), false);
  }

  function requestReturnCode() {
    if (sendFrame({ type: 'return_code' })) {
      S.rcRequested = true;
      $('rc-btn').disabled = true;
      $('rc-live-btn').disabled = true;
    } else {
      rcError(true);
    }
  }

  function onError(f) {
    var known = {
      unknown_return_code: 'unknownCode',
      rate_limited: 'rateLimited',
      resume_failed: null,
      notice_required: null
    };
    if (f.code === 'resume_failed') {
      failChat(t('resumeFailed'));
      return;
    }
    if (f.code === 'notice_required') {
      show($('notice'), true);
      setPhase('notice');
      return;
    }
    if (S.rcRequested && f.code !== 'rate_limited') {
      // The answer to our return-code request: say so next to the button.
      S.rcRequested = false;
      $('rc-btn').disabled = false;
      $('rc-live-btn').disabled = false;
      rcError(true);
      if (S.phase !== 'ended') { setAlert(t('rcFailed')); }
      return;
    }
    if (S.surveySent && (f.code === 'no_survey' || f.code === 'not_available' ||
        (f.code === 'bad_field' && f.field === 'answers'))) {
      surveyFailed();
      return;
    }
    if (S.phase === 'ended' && f.code === 'not_available') {
      return;  // an optional extra (the survey) is not offered: nothing to worry anyone with
    }
    if (f.code === 'bad_field' && f.field === 'text') {
      setAlert(t('badText'));
      return;
    }
    var key = known[f.code];
    if (key) {
      setAlert(t(key));
      return;
    }
    setAlert(typeof f.message === 'string' && f.message ? f.message : t('genericError'));
  }

  // ---------------------------------------------------------------- messages
  function addMessage(from, text, at) {
    var list = $('messages');
    var kind = from === 'visitor' ? 'me' : (from === 'counsellor' ? 'them' : 'system');
    var item = el('li', 'msg msg-' + kind);
    var who = from === 'visitor' ? t('you') : (from === 'counsellor' ? (S.counsellor || t('counsellor')) : t('system'));
    var head = el('span', kind === 'system' ? 'visually-hidden' : 'msg-who', who + ': ');
    item.appendChild(head);
    var body = el('span', 'msg-text', String(text || ''));
    item.appendChild(body);
    if (kind !== 'system') {
      var meta = el('span', 'msg-meta', formatTime(at));
      item.appendChild(meta);
    }
    list.appendChild(item);
    scrollToEnd(item);
    return item;
  }

  function scrollToEnd(item) {
    if (item && typeof item.scrollIntoView === 'function') {
      try { item.scrollIntoView({ block: 'nearest' }); } catch (e) { item.scrollIntoView(false); }
    }
  }

  function markSent(item) {
    if (!item) { return; }
    item.classList.remove('is-pending');
    item.classList.remove('is-failed');
    var state = item.querySelector('.msg-state');
    if (state) { state.textContent = t('sent'); }
  }

  function markPendingFailed() {
    S.pending.forEach(function (p) { if (p.el) { p.el.classList.add('is-failed'); } });
  }

  function sendMessage() {
    var input = $('chat-input');
    var text = input.value;
    if (!text.trim()) { return; }
    if (codePoints(text) > MAX_MESSAGE_CHARS) {
      setAlert(t('tooLong'));
      return;
    }
    setAlert('');
    var id = newClientId();
    var item = addMessage('visitor', text, null);
    item.classList.add('is-pending');
    var state = el('span', 'msg-state', t('sending'));
    item.appendChild(state);
    S.pending.push({ id: id, text: text, el: item, seq: 0 });
    sendFrame({ type: 'msg', id: id, text: text });
    input.value = '';
    updateCounter();
    input.focus();
  }

  function updateCounter() {
    var input = $('chat-input');
    var counter = $('chat-count');
    if (!input || !counter) { return; }
    var n = codePoints(input.value);
    if (n >= COUNTER_FROM_CHARS) {
      var left = MAX_MESSAGE_CHARS - n;
      counter.textContent = left >= 0 ? t('charsLeft', { n: left }) : t('tooLong');
      counter.classList.toggle('is-over', left < 0);
      $('chat-send').disabled = left < 0;
    } else {
      counter.textContent = '';
      counter.classList.remove('is-over');
      $('chat-send').disabled = false;
    }
  }

  function onInput() {
    updateCounter();
    if (S.phase !== 'joined') { return; }
    var now = Date.now();
    if (now - S.lastTypingSentAt >= TYPING_SEND_EVERY_MS && $('chat-input').value.trim()) {
      S.lastTypingSentAt = now;
      sendFrame({ type: 'typing' });
    }
  }

  function onInputKeydown(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  }

  // ---------------------------------------------------------------- referral card
  function onReferral(f) {
    var item = el('li', 'msg msg-referral');
    item.appendChild(renderCard(f.card || {}, t('referralHeading')));
    $('messages').appendChild(item);
    scrollToEnd(item);
  }

  function renderCard(card, label) {
    var box = el('div', 'referral');
    if (label) { box.appendChild(el('p', 'referral-label', label)); }
    box.appendChild(el('h3', 'referral-name', String(card.name || '')));
    if (card.helps_with) { box.appendChild(el('p', 'referral-helps', String(card.helps_with))); }
    var list = el('ul', 'referral-contact');
    (Array.isArray(card.contact) ? card.contact : []).forEach(function (c) {
      if (!c || typeof c.value !== 'string') { return; }
      var li = el('li', 'contact-' + String(c.kind || 'other'));
      var value = c.value;
      if (c.kind === 'phone') {
        var tel = el('a', null, value);
        tel.href = 'tel:' + value.replace(/[^\d+]/g, '');
        li.appendChild(tel);
      } else if (c.kind === 'web' && /^https?:\/\//i.test(value)) {
        var web = el('a', null, value);
        web.href = value;
        web.target = '_blank';
        web.rel = 'noreferrer noopener';
        li.appendChild(web);
      } else if (c.kind === 'email' && /^[^\s@]+@[^\s@]+$/.test(value)) {
        var mail = el('a', null, value);
        mail.href = 'mailto:' + value;
        li.appendChild(mail);
      } else {
        li.appendChild(el('span', null, value));
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    return box;
  }

  // ---------------------------------------------------------------- open now (chat closed or full)
  function wantsOpenHelp() {
    var view = S.view || 'start';
    return view === 'unavailable' || (view === 'start' && !!S.status && S.status.open === false);
  }

  function renderOpenHelp() {
    var box = $('open-help');
    if (!box) { return; }
    var wants = wantsOpenHelp();
    show(box, wants);
    if (!wants) { return; }
    var kommun = $('kommun') ? $('kommun').value : '';
    var key = /^\d{4}$/.test(kommun) ? kommun : '';
    if (S.openHelpKey === key && Date.now() - (S.openHelpAt || 0) < STATUS_REFRESH_MS) { return; }
    S.openHelpKey = key;
    S.openHelpAt = Date.now();
    getJSON('/api/help/open' + (key ? '?kommun=' + encodeURIComponent(key) : '')).then(function (data) {
      var orgs = data && Array.isArray(data.orgs) ? data.orgs : [];
      var list = $('open-help-list');
      clear(list);
      orgs.forEach(function (card) {
        if (!card || typeof card.name !== 'string') { return; }
        var li = el('li', 'open-help-item');
        li.appendChild(renderCard(card, null));
        list.appendChild(li);
      });
      show($('open-help-empty'), list.children.length === 0);
    }).catch(function () {
      S.openHelpAt = 0;
      clear($('open-help-list'));
      show($('open-help-empty'), true);
    });
  }

  // ---------------------------------------------------------------- messages with a code
  // Each request is its own short connection (no hello, no chat): it works while chat is
  // closed or full, and nothing links it to a chat on this page.
  function codeRequest(frame, okType) {
    return new Promise(function (resolve, reject) {
      var ws;
      var done = false;
      try {
        ws = new WebSocket(socketUrl());
      } catch (e) {
        reject(new Error('connect'));
        return;
      }
      var timer = window.setTimeout(function () { finish(null, 'timeout'); }, CODE_REQUEST_TIMEOUT_MS);
      function finish(result, code) {
        if (done) { return; }
        done = true;
        window.clearTimeout(timer);
        try { ws.close(1000); } catch (e) { /* already closed */ }
        if (code) {
          var err = new Error(code);
          err.code = code;
          reject(err);
        } else {
          resolve(result);
        }
      }
      ws.onopen = function () { ws.send(JSON.stringify(frame)); };
      ws.onmessage = function (event) {
        var f;
        try { f = JSON.parse(event.data); } catch (e) { return; }
        if (!f || typeof f.type !== 'string') { return; }
        if (f.type === okType) { finish(f, null); } else if (f.type === 'error') { finish(null, String(f.code || 'error')); }
      };
      ws.onerror = function () { /* onclose follows */ };
      ws.onclose = function () { finish(null, 'closed'); };
    });
  }

  function fieldError(id, text) {
    var node = $(id);
    node.textContent = text || '';
    show(node, !!text);
  }

  function codeErrorText(err) {
    return err && err.code === 'unknown_return_code' ? t('codeNotFound') : t('requestFailed');
  }

  function onLeaveSubmit(event) {
    event.preventDefault();
    var text = $('leave-text').value;
    var code = $('leave-code').value.trim();
    if (!text.trim()) { fieldError('leave-error', t('leaveEmpty')); $('leave-text').focus(); return; }
    if (codePoints(text) > MAX_MESSAGE_CHARS) { fieldError('leave-error', t('tooLong')); return; }
    fieldError('leave-error', '');
    var frame = { type: 'leave_message', text: text };
    if (code) { frame.code = code; }
    $('leave-send').disabled = true;
    codeRequest(frame, 'message_left').then(function (f) {
      $('leave-text').value = '';
      $('leave-code').value = '';
      $('leave-code-shown').textContent = String(f.code || '');
      show($('leave-form'), false);
      show($('leave-result'), true);
      $('leave-result').focus();
    }).catch(function (err) {
      fieldError('leave-error', codeErrorText(err));
    }).then(function () { $('leave-send').disabled = false; });
  }

  function onRepliesSubmit(event) {
    event.preventDefault();
    var code = $('replies-code').value.trim();
    if (!code) { fieldError('replies-error', t('needCode')); $('replies-code').focus(); return; }
    fieldError('replies-error', '');
    $('replies-send').disabled = true;
    var list = $('replies-list');
    codeRequest({ type: 'read_replies', code: code }, 'replies').then(function (f) {
      clear(list);
      var items = Array.isArray(f.items) ? f.items : [];
      var answered = false;
      items.forEach(function (m) {
        var mine = m.from === 'visitor';
        answered = answered || !mine;
        var li = el('li', 'msg ' + (mine ? 'msg-me' : 'msg-them'));
        li.appendChild(el('span', 'msg-who', (mine ? t('you') : t('counsellor')) + ': '));
        li.appendChild(el('span', 'msg-text', String(m.text || '')));
        li.appendChild(el('span', 'msg-meta', formatWhen(m.at) || ''));
        list.appendChild(li);
      });
      show(list, items.length > 0);
      show($('replies-empty'), !answered);
    }).catch(function (err) {
      clear(list);
      show(list, false);
      show($('replies-empty'), false);
      fieldError('replies-error', codeErrorText(err));
    }).then(function () { $('replies-send').disabled = false; });
  }

  function onForgetSubmit(event) {
    event.preventDefault();
    var code = $('forget-code').value.trim();
    show($('forget-result'), false);
    if (!code) {
      $('forget-result').textContent = t('needCode');
      show($('forget-result'), true);
      $('forget-code').focus();
      return;
    }
    S.forgetCode = code;
    show($('forget-confirm'), true);
    $('forget-no').focus();
  }

  function onForgetNo() {
    S.forgetCode = '';
    show($('forget-confirm'), false);
    $('forget-send').focus();
  }

  function onForgetYes() {
    var code = S.forgetCode;
    S.forgetCode = '';
    show($('forget-confirm'), false);
    if (!code) { return; }
    var result = $('forget-result');
    codeRequest({ type: 'forget_code', code: code }, 'code_forgotten').then(function (f) {
      $('forget-code').value = '';
      result.textContent = f.forgotten ? t('forgetDone') : t('forgetNone');
    }).catch(function () {
      result.textContent = t('requestFailed');
    }).then(function () {
      show(result, true);
      result.focus();
    });
  }

  // ---------------------------------------------------------------- knowledge bank while waiting
  function loadArticles() {
    var topic = S.hello && S.hello.topic;
    if (!topic) { return; }
    var lang = S.lang;
    getJSON('/api/kb/articles?topic=' + encodeURIComponent(topic) + '&lang=' + encodeURIComponent(lang))
      .then(function (data) {
        if (S.phase !== 'queued' || !data || !Array.isArray(data.results) || !data.results.length) { return; }
        var list = $('kb-list');
        clear(list);
        data.results.slice(0, 6).forEach(function (a) {
          if (!a || typeof a.slug !== 'string') { return; }
          if (a.audience === 'staff') { return; }
          var li = el('li');
          var btn = el('button', 'kb-link', String(a.title || a.slug));
          btn.type = 'button';
          btn.setAttribute('data-slug', a.slug);
          btn.setAttribute('data-lang', String(a.lang || lang));
          li.appendChild(btn);
          if (a.snippet) { li.appendChild(el('p', 'kb-snippet', String(a.snippet))); }
          list.appendChild(li);
        });
        show(list, true);
        show($('kb-article'), false);
        show($('kb'), list.children.length > 0);
      })
      .catch(function () { /* the knowledge bank is a bonus; waiting works without it */ });
  }

  function openArticle(slug, lang) {
    getJSON('/api/kb/article/' + encodeURIComponent(lang) + '/' + encodeURIComponent(slug))
      .then(function (data) {
        if (!data) { return; }
        var article = $('kb-article');
        $('kb-article-title').textContent = String(data.title || '');
        var body = $('kb-article-body');
        // Sanitised on the server (kb); links inside must not navigate this page away.
        body.innerHTML = typeof data.html === 'string' ? data.html : '';
        var links = body.querySelectorAll('a[href]');
        for (var i = 0; i < links.length; i++) {
          links[i].target = '_blank';
          links[i].rel = 'noreferrer noopener';
        }
        article.lang = String(data.lang || lang);
        article.dir = data.dir === 'rtl' ? 'rtl' : 'ltr';
        show($('kb-list'), false);
        show(article, true);
        article.focus();
      })
      .catch(function () { /* keep the list */ });
  }

  function onKbClick(event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains('kb-link')) {
      openArticle(target.getAttribute('data-slug'), target.getAttribute('data-lang'));
    }
  }

  function closeArticle() {
    show($('kb-article'), false);
    show($('kb-list'), true);
    var first = document.querySelector('#kb-list .kb-link');
    if (first) { first.focus(); }
  }

  // ---------------------------------------------------------------- survey
  function loadSurvey() {
    if (S.surveyLoaded) { show($('survey-form'), $('survey-questions').children.length > 0); return; }
    getJSON('/api/survey?lang=' + encodeURIComponent(S.lang)).then(function (data) {
      if (!data || !Array.isArray(data.questions) || !data.questions.length) { return; }
      renderSurvey(data.questions);
      S.surveyLoaded = true;
      if (S.phase === 'ended') { show($('survey-form'), true); }
    }).catch(function () { /* optional */ });
  }

  var OPTION_KEYS = { yes: 'optYes', partly: 'optPartly', no: 'optNo', dont_know: 'optDontKnow' };

  function optionLabel(value) {
    return typeof value === 'string' && OPTION_KEYS[value] ? t(OPTION_KEYS[value]) : String(value);
  }

  function renderSurvey(questions) {
    var box = $('survey-questions');
    clear(box);
    questions.forEach(function (q, index) {
      if (!q || typeof q.key !== 'string') { return; }
      var name = 'q-' + index;
      if (q.kind === 'choice' || q.kind === 'scale') {
        var fs = el('fieldset', 'choices survey-q' + (q.kind === 'scale' ? ' is-scale' : ''));
        fs.setAttribute('data-key', q.key);
        fs.setAttribute('data-kind', q.kind);
        fs.appendChild(el('legend', null, String(q.label || q.key)));
        (Array.isArray(q.options) ? q.options : []).forEach(function (opt, j) {
          var value = opt !== null && typeof opt === 'object' ? opt.value : opt;
          var text = opt !== null && typeof opt === 'object' ? (opt.label || opt.value) : optionLabel(opt);
          var label = el('label', 'choice');
          var input = document.createElement('input');
          input.type = 'radio';
          input.name = name;
          input.id = name + '-' + j;
          input.setAttribute('data-value', JSON.stringify(value));
          label.appendChild(input);
          label.appendChild(el('span', null, ' ' + String(text)));
          fs.appendChild(label);
        });
        box.appendChild(fs);
      } else {
        var wrap = el('div', 'field survey-q');
        wrap.setAttribute('data-key', q.key);
        wrap.setAttribute('data-kind', 'text');
        var lab = el('label', null, String(q.label || q.key));
        lab.htmlFor = name;
        var area = document.createElement('textarea');
        area.id = name;
        area.rows = 3;
        area.maxLength = 1000;
        area.setAttribute('autocomplete', 'off');
        area.setAttribute('spellcheck', 'false');
        area.setAttribute('autocapitalize', 'off');
        area.setAttribute('autocorrect', 'off');
        wrap.appendChild(lab);
        wrap.appendChild(area);
        box.appendChild(wrap);
      }
    });
  }

  function onSurveySubmit(event) {
    event.preventDefault();
    var answers = {};
    var qs = $('survey-questions').querySelectorAll('.survey-q');
    for (var i = 0; i < qs.length; i++) {
      var key = qs[i].getAttribute('data-key');
      if (qs[i].getAttribute('data-kind') === 'text') {
        var text = qs[i].querySelector('textarea').value.trim();
        if (text) { answers[key] = text; }
      } else {
        var picked = qs[i].querySelector('input:checked');
        if (picked) {
          try { answers[key] = JSON.parse(picked.getAttribute('data-value')); } catch (e) { /* skip */ }
        }
      }
    }
    show($('survey-error'), false);
    if (!sendFrame({ type: 'survey', answers: answers })) {
      surveyFailed();
      return;
    }
    S.surveySent = true;
    $('survey-send').disabled = true;
  }

  function onSurveyReceived() {
    S.surveySent = false;
    show($('survey-form'), false);
    show($('survey-thanks'), true);
  }

  function surveyFailed() {
    S.surveySent = false;
    $('survey-send').disabled = false;
    var node = $('survey-error');
    node.textContent = t('surveyFailed');
    show(node, true);
  }

  // ---------------------------------------------------------------- ending, restarting
  function onEndYes() {
    show($('end-confirm'), false);
    if (!sendFrame({ type: 'end' })) {
      onEnded({ by: 'visitor' });
    }
  }

  function onRestart() {
    closeSocket();
    S.phase = 'start';
    S.token = null;
    S.surveyLoaded = false;
    clear($('survey-questions'));
    resetChatView();
    setPhase('start');
    showView('start');
    loadStatus();
    loadTopics();
    loadProfessions();
    $('start-heading').setAttribute('tabindex', '-1');
    $('start-heading').focus();
  }

  function onQuickExit() {
    S.phase = 'exited';
    if (S.ws && S.ws.readyState === WebSocket.OPEN) {
      sendFrame({ type: 'exit' });
    }
    closeSocket();
  }

  // ---------------------------------------------------------------- "someone is coming"
  function renderCover() {
    var title = $('cover-title-text');
    if (!title) { return; }
    title.textContent = t('coverTitle');
    $('cover-meta').textContent = t('coverMeta');
    $('cover-h-ingr').textContent = t('coverIngrH');
    $('cover-h-steps').textContent = t('coverStepsH');
    var ingr = $('cover-ingr');
    var steps = $('cover-steps');
    clear(ingr);
    clear(steps);
    (t('coverIngr') || []).forEach(function (x) { ingr.appendChild(el('li', null, x)); });
    (t('coverSteps') || []).forEach(function (x) { steps.appendChild(el('li', null, x)); });
  }

  function chatLive() {
    return S.ws && S.ws.readyState === WebSocket.OPEN && !endedForGood();
  }

  function setCovered(on) {
    if (S.covered === on) { return; }
    S.covered = on;
    var page = $('page');
    var topbar = $('topbar');
    var cover = $('cover');
    if (on) {
      S.coverReturnFocus = document.activeElement;
      show(cover, true);
      page.setAttribute('aria-hidden', 'true');
      page.inert = true;
      topbar.classList.add('is-covered');
      document.documentElement.classList.add('covered');
      document.title = t('coverTitle');
      $('cover-back').focus();
      if (chatLive()) { sendFrame({ type: 'away', on: true }); }
    } else {
      show(cover, false);
      page.removeAttribute('aria-hidden');
      page.inert = false;
      topbar.classList.remove('is-covered');
      document.documentElement.classList.remove('covered');
      document.title = 'Chatt';
      if (chatLive()) { sendFrame({ type: 'away', on: false }); }
      var back = S.coverReturnFocus;
      S.coverReturnFocus = null;
      if (back && typeof back.focus === 'function' && document.contains(back)) {
        back.focus();
      } else if (!$('chat-form').hidden) {
        $('chat-input').focus();
      }
    }
  }

  function onGlobalKeydown(event) {
    // Escape always means "hide" (or "back" on the cover); no modal dialog on this page
    // listens for it, so nothing else competes for the key.
    if (event.key === 'Escape' && !event.isComposing) {
      event.preventDefault();
      setCovered(!S.covered);
    }
  }

  // ---------------------------------------------------------------- wiring
  function on(id, type, handler) {
    var node = $(id);
    if (node) { node.addEventListener(type, handler); }
  }

  function init() {
    on('start-form', 'submit', onStartSubmit);
    var radios = document.querySelectorAll('input[name="channel"]');
    for (var i = 0; i < radios.length; i++) { radios[i].addEventListener('change', onChannelChange); }
    var ages = document.querySelectorAll('input[name="age"]');
    for (i = 0; i < ages.length; i++) {
      ages[i].addEventListener('change', function () { show($('age-error'), false); });
    }
    on('langs', 'click', function (event) {
      var btn = event.target.closest ? event.target.closest('.lang-btn') : null;
      if (btn) { applyLang(btn.getAttribute('data-lang')); }
    });
    on('notice-ack', 'click', onNoticeAck);
    on('chat-form', 'submit', function (event) { event.preventDefault(); sendMessage(); });
    on('chat-input', 'input', onInput);
    on('chat-input', 'keydown', onInputKeydown);
    on('end-btn', 'click', function () {
      show($('end-confirm'), true);
      $('end-no').focus();
    });
    on('end-no', 'click', function () {
      show($('end-confirm'), false);
      $('end-btn').focus();
    });
    on('end-yes', 'click', onEndYes);
    on('rc-btn', 'click', requestReturnCode);
    on('rc-live-btn', 'click', requestReturnCode);
    on('leave-form', 'submit', onLeaveSubmit);
    on('replies-form', 'submit', onRepliesSubmit);
    on('forget-form', 'submit', onForgetSubmit);
    on('forget-yes', 'click', onForgetYes);
    on('forget-no', 'click', onForgetNo);
    on('kommun-name', 'input', onKommunInput);
    loadMunicipalities();
    on('survey-form', 'submit', onSurveySubmit);
    on('restart-btn', 'click', onRestart);
    on('unavailable-back', 'click', onRestart);
    on('kb-list', 'click', onKbClick);
    on('kb-back', 'click', closeArticle);
    on('away-btn', 'click', function () { setCovered(true); });
    on('cover-back', 'click', function () { setCovered(false); });
    document.addEventListener('keydown', onGlobalKeydown);
    window.addEventListener('quickexit', onQuickExit);

    show($('away-btn'), true);  // it needs this script, so it only shows with it
    onChannelChange();
    applyLang(document.documentElement.lang || 'sv');
    loadStatus();
    window.setInterval(function () { if (S.phase === 'start') { loadStatus(); } }, STATUS_REFRESH_MS);
    document.documentElement.classList.add('js');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
