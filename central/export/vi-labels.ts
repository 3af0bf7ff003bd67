// Vietnamese names for the printed fine record (the review page has its own dictionary in central/ui/public/i18n.js).
export const RULE_VI: Record<string, string> = {
  zone_dwell: 'Dừng lâu trong vùng',
  red_light: 'Vượt đèn đỏ',
  wrong_way: 'Đi ngược chiều',
  solid_line: 'Lấn vạch liền',
  wrong_lane: 'Đi sai làn đường',
  illegal_stop: 'Dừng, đỗ xe sai quy định',
  forbidden_turn: 'Rẽ, quay đầu sai quy định',
  speeding: 'Chạy quá tốc độ quy định',
  sidewalk: 'Lấn chiếm vỉa hè',
  crowding: 'Tụ tập đông người',
  object_present: 'Vật thể bất thường',
  no_helmet: 'Không đội mũ bảo hiểm',
};

export const LABEL_VI: Record<string, string> = {
  car: 'ô tô',
  motorcycle: 'xe máy',
  bus: 'xe buýt',
  truck: 'xe tải',
  bicycle: 'xe đạp',
  person: 'người đi bộ',
};

export const STATUS_VI: Record<string, string> = {
  open: 'Chờ duyệt',
  confirmed: 'Đã xác nhận vi phạm',
  rejected: 'Đã bác bỏ',
};

export const REASON_VI: Record<string, string> = {
  not_violation: 'Không phải vi phạm',
  wrong_vehicle: 'Nhầm phương tiện',
  evidence_unclear: 'Hình ảnh không rõ',
  duplicate: 'Trùng lặp',
  other: 'Lý do khác',
};

export const EVIDENCE_VI: Record<string, string> = {
  snapshot: 'Ảnh chụp có chú thích',
  snapshotClean: 'Ảnh chụp gốc',
  clip: 'Đoạn video',
  best: 'Ảnh rõ nhất',
  plate: 'Ảnh biển số',
};

export const SIGNAL_VI: Record<string, string> = {
  red: 'Đỏ',
  amber: 'Vàng',
  green: 'Xanh',
  unknown: 'Không rõ',
};

export const COLOUR_VI: Record<string, string> = { white: 'trắng', yellow: 'vàng', blue: 'xanh', red: 'đỏ' };
